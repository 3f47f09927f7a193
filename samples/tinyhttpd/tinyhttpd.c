/* tinyhttpd.c: a small HTTP/1.0 static-file server in C11 + POSIX.
 *
 * Serves GET and HEAD for regular files under a document root, one request
 * per connection and one connection at a time. Request buffers and path
 * strings come from th_alloc (alloc.h), so building with -DTINYHTTPD_POOL
 * moves every per-request allocation onto the fixed-block pool in pool.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "alloc.h"

#define REQ_MAX 4096      /* request line plus headers, including the NUL */
#define IO_CHUNK 4096     /* file copy buffer */
#define CLIENT_TIMEOUT 10 /* seconds a client read or write may stall */

#define NO_RESPONSE (-1) /* close without answering */
#define BAD_REQUEST (-2) /* read_request: malformed or oversized request */

static const char progname[] = "tinyhttpd";

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int
usage_error(const char *msg, const char *arg)
{
	if (msg != NULL) {
		fprintf(stderr, "%s: %s%s%s\n", progname, msg, arg ? " " : "", arg ? arg : "");
	}
	fprintf(stderr, "usage: %s [-p PORT] [-r ROOT] [-b ADDR] [-n COUNT]\n", progname);
	return 2;
}

static int
sys_error(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", progname, what, strerror(errno));
	return 1;
}

/* Parses a decimal number in [0, max]; returns 0 on success. */
static int
parse_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9') {
		return -1;
	}
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		return -1;
	}
	*out = v;
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *
reason_phrase(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Internal Server Error";
	}
}

static const char *
content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
	    {"html", "text/html; charset=utf-8"},
	    {"htm", "text/html; charset=utf-8"},
	    {"txt", "text/plain; charset=utf-8"},
	    {"css", "text/css; charset=utf-8"},
	    {"js", "text/javascript; charset=utf-8"},
	    {"png", "image/png"},
	    {"jpg", "image/jpeg"},
	    {"jpeg", "image/jpeg"},
	    {"svg", "image/svg+xml"},
	};
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base : path, '.');

	if (dot != NULL) {
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
			if (strcasecmp(dot + 1, types[i].ext) == 0) {
				return types[i].type;
			}
		}
	}
	return "application/octet-stream";
}

static int
send_header(int cfd, int code, const char *type, long long length)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof hdr,
	                 "HTTP/1.0 %d %s\r\n"
	                 "Server: tinyhttpd\r\n"
	                 "Content-Type: %s\r\n"
	                 "Content-Length: %lld\r\n"
	                 "%s"
	                 "Connection: close\r\n"
	                 "\r\n",
	                 code, reason_phrase(code), type, length,
	                 code == 405 ? "Allow: GET, HEAD\r\n" : "");

	if (n < 0 || (size_t)n >= sizeof hdr) {
		return -1;
	}
	return write_all(cfd, hdr, (size_t)n);
}

static void
send_error(int cfd, int code, int head_only)
{
	char body[160];
	const char *reason = reason_phrase(code);
	int n =
	    snprintf(body, sizeof body, "<!DOCTYPE html>\n<title>%d %s</title>\n<h1>%d %s</h1>\n",
	             code, reason, code, reason);

	if (n < 0 || (size_t)n >= sizeof body) {
		return;
	}
	if (send_header(cfd, code, "text/html; charset=utf-8", n) == 0 && !head_only) {
		(void)write_all(cfd, body, (size_t)n);
	}
}

/* True once buf holds a blank line ending the header block. */
static int
headers_complete(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n') {
			continue;
		}
		if (buf[i + 1] == '\n' ||
		    (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')) {
			return 1;
		}
	}
	return 0;
}

/* Reads the request head into buf (NUL-terminated). Returns its length,
 * NO_RESPONSE if the client sent nothing or the read failed, or BAD_REQUEST
 * if the request is incomplete or does not fit. */
static long
read_request(int cfd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap - 1) {
		ssize_t n = read(cfd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return NO_RESPONSE;
		}
		if (n == 0) {
			return len == 0 ? NO_RESPONSE : BAD_REQUEST;
		}
		len += (size_t)n;
		buf[len] = '\0';
		if (headers_complete(buf, len)) {
			return (long)len;
		}
	}
	return BAD_REQUEST;
}

static int
is_token_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Percent-decodes the path part of a request target (query and fragment
 * dropped) into a new th_alloc'd string. On failure returns NULL and sets
 * *code to 400 (bad escape or NUL) or 500 (out of memory). */
static char *
decode_path(const char *target, int *code)
{
	size_t len = strcspn(target, "?#");
	char *out = th_alloc(len + 1);
	size_t o = 0;

	if (out == NULL) {
		*code = 500;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)target[i];
		if (c == '%') {
			int hi = i + 2 < len ? hex_value(target[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(target[i + 2]) : -1;
			if (lo < 0 || (hi | lo) == 0) {
				th_free(out);
				*code = 400;
				return NULL;
			}
			c = hi * 16 + lo;
			i += 2;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

static int
has_dotdot_segment(const char *path)
{
	while (*path != '\0') {
		size_t n = strcspn(path, "/");
		if (n == 2 && path[0] == '.' && path[1] == '.') {
			return 1;
		}
		path += n;
		while (*path == '/') {
			path++;
		}
	}
	return 0;
}

/* Returns a new th_alloc'd concatenation of a, b and c, or NULL. */
static char *
join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = th_alloc(la + lb + lc + 1);

	if (s != NULL) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

static int
errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return 404;
	case EACCES:
	case EPERM:
	case ELOOP:
		return 403;
	default:
		return 500;
	}
}

/* Sends the file at path. Returns 0 once a 200 response has been started,
 * otherwise the error status to send. */
static int
serve_file(int cfd, const char *path, int head_only)
{
	struct stat st;
	char *buf = NULL;
	/* O_NONBLOCK keeps open() from stalling on a FIFO; regular files ignore it. */
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		return errno_status(errno);
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return 500;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return 403;
	}
	if (!head_only && (buf = th_alloc(IO_CHUNK)) == NULL) {
		close(fd);
		return 500;
	}
	if (send_header(cfd, 200, content_type(path), (long long)st.st_size) == 0 && !head_only) {
		off_t left = st.st_size;
		while (left > 0) {
			size_t want = left < IO_CHUNK ? (size_t)left : IO_CHUNK;
			ssize_t n = read(fd, buf, want);
			if (n < 0 && errno == EINTR) {
				continue;
			}
			/* A file that shrank or fails mid-way ends in a short body. */
			if (n <= 0 || write_all(cfd, buf, (size_t)n) != 0) {
				break;
			}
			left -= n;
		}
	}
	th_free(buf);
	close(fd);
	return 0;
}

/* Reads and answers one request. Returns 0 when a response has been sent,
 * NO_RESPONSE to just close, or the error status to send. Sets *head_only
 * for HEAD requests so that error responses omit their body too. */
static int
handle_request(int cfd, const char *root, int *head_only)
{
	char *req = th_alloc(REQ_MAX);
	char *path = NULL;
	char *file = NULL;
	int code = 0;

	if (req == NULL) {
		return 500;
	}
	long len = read_request(cfd, req, REQ_MAX);
	if (len < 0) {
		code = len == NO_RESPONSE ? NO_RESPONSE : 400;
		goto out;
	}

	/* Request line: METHOD SP TARGET SP HTTP/1.x, ended by LF or CRLF. */
	char *eol = strchr(req, '\n');
	if (eol == NULL) { /* also catches a NUL byte in the request line */
		code = 400;
		goto out;
	}
	if (eol > req && eol[-1] == '\r') {
		eol--;
	}
	*eol = '\0';
	char *method = req;
	char *target = strchr(method, ' ');
	char *version = target ? strchr(target + 1, ' ') : NULL;
	if (version == NULL) {
		code = 400;
		goto out;
	}
	*target++ = '\0';
	*version++ = '\0';
	size_t mlen = strlen(method);
	for (size_t i = 0; i < mlen; i++) {
		if (!is_token_char((unsigned char)method[i])) {
			mlen = 0;
		}
	}
	if (mlen == 0 || target[0] != '/' || strlen(version) != 8 ||
	    strncmp(version, "HTTP/1.", 7) != 0 || version[7] < '0' || version[7] > '9') {
		code = 400;
		goto out;
	}
	*head_only = strcmp(method, "HEAD") == 0;
	if (!*head_only && strcmp(method, "GET") != 0) {
		code = 405;
		goto out;
	}

	path = decode_path(target, &code);
	if (path == NULL) {
		goto out;
	}
	if (has_dotdot_segment(path)) {
		code = 403;
		goto out;
	}
	file = join3(root, path, path[strlen(path) - 1] == '/' ? "index.html" : "");
	if (file == NULL) {
		code = 500;
		goto out;
	}
	struct stat st;
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *index = join3(file, "/", "index.html");
		th_free(file);
		file = index;
		if (file == NULL) {
			code = 500;
			goto out;
		}
	}
	code = serve_file(cfd, file, *head_only);
out:
	th_free(file);
	th_free(path);
	th_free(req);
	return code;
}

/* Blocking I/O with timeouts, so one stalled client cannot wedge the server. */
static void
setup_client(int cfd)
{
	struct timeval tv = {CLIENT_TIMEOUT, 0};
	int flags = fcntl(cfd, F_GETFL);

	if (flags >= 0 && (flags & O_NONBLOCK)) {
		(void)fcntl(cfd, F_SETFL, flags & ~O_NONBLOCK);
	}
	(void)setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Half-closes, then drains a little of whatever the client still sends, so
 * unread request bytes do not turn close() into a reset that destroys the
 * response before the client has read it. */
static void
close_client(int cfd)
{
	struct timeval tv = {1, 0};
	char sink[512];

	(void)shutdown(cfd, SHUT_WR);
	(void)setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	for (int i = 0; i < 8 && read(cfd, sink, sizeof sink) > 0; i++) {
		/* discard */
	}
	close(cfd);
}

static void
handle_connection(int cfd, const char *root)
{
	int head_only = 0;
	int code;

	setup_client(cfd);
	code = handle_request(cfd, root, &head_only);
	if (code > 0) {
		send_error(cfd, code, head_only);
	}
	close_client(cfd);
}

int
main(int argc, char **argv)
{
	const char *root = "www";
	const char *addr = "127.0.0.1";
	unsigned long port = 8080;
	unsigned long count = 0;
	char optname[3] = "-?";
	int opt;

	opterr = 0;
	while ((opt = getopt(argc, argv, ":p:r:b:n:")) != -1) {
		switch (opt) {
		case 'p':
			if (parse_number(optarg, 65535, &port) != 0) {
				return usage_error("invalid port:", optarg);
			}
			break;
		case 'r':
			root = optarg;
			break;
		case 'b':
			addr = optarg;
			break;
		case 'n':
			if (parse_number(optarg, ULONG_MAX, &count) != 0) {
				return usage_error("invalid count:", optarg);
			}
			break;
		case ':':
			optname[1] = (char)optopt;
			return usage_error("missing argument for option", optname);
		default:
			optname[1] = (char)optopt;
			return usage_error("unknown option", optname);
		}
	}
	if (optind != argc) {
		return usage_error("unexpected argument:", argv[optind]);
	}
	if (root[0] == '\0') {
		return usage_error("empty document root", NULL);
	}

	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		return usage_error("invalid IPv4 address:", addr);
	}

	struct stat st;
	if (stat(root, &st) != 0) {
		return sys_error(root);
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a directory\n", progname, root);
		return 1;
	}

	/* SIGINT/SIGTERM stay blocked except while waiting in pselect(), so a
	 * stop request is noticed without racing the flag check. */
	struct sigaction sa;
	sigset_t stop_signals, wait_mask;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);

	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0) {
		return sys_error("socket");
	}
	int one = 1;
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	socklen_t slen = sizeof sin;
	char ip[INET_ADDRSTRLEN];
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) != 0 ||
	    fcntl(lfd, F_SETFL, O_NONBLOCK) != 0 ||
	    inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof ip) == NULL) {
		char what[64];
		snprintf(what, sizeof what, "cannot listen on %s:%lu", addr, port);
		int status = sys_error(what);
		close(lfd);
		return status;
	}
	printf("listening on %s:%u\n", ip, (unsigned)ntohs(sin.sin_port));
	fflush(stdout);

	int status = 0;
	unsigned long served = 0;
	while (!stop_requested && (count == 0 || served < count)) {
		fd_set rfds;
		FD_ZERO(&rfds);
		FD_SET(lfd, &rfds);
		if (pselect(lfd + 1, &rfds, NULL, NULL, NULL, &wait_mask) < 0) {
			if (errno == EINTR) {
				continue;
			}
			status = sys_error("pselect");
			break;
		}
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED || errno == EPROTO) {
				continue;
			}
			status = sys_error("accept");
			break;
		}
		handle_connection(cfd, root);
		served++;
	}
	close(lfd);
	return status;
}
