//! tinyrocket: a std-only HTTP/1.0 "Hello, world!" server, an ounce sample.
//!
//! Listens on 127.0.0.1, answers one connection at a time with one response
//! each, and closes the connection. `GET /` (and `HEAD /`) get the greeting;
//! other paths get 404. Built with the `bundled-alloc` feature, every heap
//! allocation goes through the static-arena allocator in alloc.rs.

#[cfg(feature = "bundled-alloc")]
mod alloc;

use std::env;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

const PROGNAME: &str = "tinyrocket";
const USAGE: &str = "usage: tinyrocket [-p PORT] [-n COUNT]";
const GREETING: &str = "Hello, world!\n";

/// Request line plus headers; a longer request is answered with 400.
const REQUEST_MAX: usize = 4096;
/// How long a client may stall a read or a write.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

struct Options {
    port: u16,
    /// Requests to serve before exiting; 0 means forever.
    count: u64,
}

enum Parsed {
    Run(Options),
    Help,
}

/// Parses `[-p PORT] [-n COUNT] [-h]`; an error is the message to print.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, String> {
    let mut opts = Options {
        port: 8080,
        count: 0,
    };
    let mut args = args.into_iter();

    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|arg| format!("invalid argument {}", arg.to_string_lossy()))?;
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-p" => opts.port = parse_value(&arg, args.next())?,
            "-n" => opts.count = parse_value(&arg, args.next())?,
            _ => return Err(format!("unknown argument '{arg}'")),
        }
    }
    Ok(Parsed::Run(opts))
}

/// Parses the decimal value that follows option `opt`.
fn parse_value<T: std::str::FromStr>(opt: &str, value: Option<OsString>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("option {opt} needs a value"))?;
    let text = value.to_string_lossy();
    // FromStr accepts a leading '+'; a port or a count is plain digits.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad value for {opt}: '{text}'"));
    }
    text.parse()
        .map_err(|_| format!("bad value for {opt}: '{text}'"))
}

struct Response {
    status: &'static str,
    extra_headers: &'static str,
    body: &'static str,
}

impl Response {
    const fn new(status: &'static str, body: &'static str) -> Self {
        Response {
            status,
            extra_headers: "",
            body,
        }
    }
}

const OK: Response = Response::new("200 OK", GREETING);
const BAD_REQUEST: Response = Response::new("400 Bad Request", "Bad Request\n");
const NOT_FOUND: Response = Response::new("404 Not Found", "Not Found\n");
const NOT_ALLOWED: Response = Response {
    status: "405 Method Not Allowed",
    extra_headers: "Allow: GET, HEAD\r\n",
    body: "Method Not Allowed\n",
};

/// Reads the request head: up to the blank line that ends the headers, the
/// end of the stream, or REQUEST_MAX bytes. Returns None when it is too long.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];

    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(Some(head));
        }
        // Search from just before the new bytes: the terminator may straddle reads.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        let tail = &head[from..];
        if tail.windows(4).any(|w| w == b"\r\n\r\n") || tail.windows(2).any(|w| w == b"\n\n") {
            return Ok(Some(head));
        }
        if head.len() >= REQUEST_MAX {
            return Ok(None);
        }
    }
}

/// Splits the request line into method and path (without the query string);
/// None when it is malformed.
fn parse_request_line(head: &[u8]) -> Option<(&str, &str)> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut words = std::str::from_utf8(line).ok()?.split(' ');
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || !version.starts_with("HTTP/") || !target.starts_with('/') {
        return None;
    }
    let path = target.split('?').next().unwrap_or(target);
    Some((method, path))
}

/// Chooses the response to a request head; the bool says whether to send the body.
fn route(head: &[u8]) -> (&'static Response, bool) {
    let (method, path) = match parse_request_line(head) {
        Some(parts) => parts,
        None => return (&BAD_REQUEST, true),
    };
    let with_body = match method {
        "GET" => true,
        "HEAD" => false,
        _ => return (&NOT_ALLOWED, true),
    };
    if path == "/" {
        (&OK, with_body)
    } else {
        (&NOT_FOUND, with_body)
    }
}

/// Reads one request from `stream`, answers it and closes the connection.
fn serve(mut stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;

    let (response, with_body) = match read_head(&mut stream)? {
        Some(head) if !head.is_empty() => route(&head),
        Some(_) => return Ok(()), // closed without sending anything
        None => (&BAD_REQUEST, true),
    };
    let mut out = format!(
        "HTTP/1.0 {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
        response.status,
        response.body.len(),
        response.extra_headers,
    );
    if with_body {
        out.push_str(response.body);
    }
    stream.write_all(out.as_bytes())?;
    stream.flush()?;
    // A clean FIN, so that the client reads the whole response before EOF.
    stream.shutdown(Shutdown::Write)
}

fn run(opts: &Options) -> Result<(), String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;

    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on {addr}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);

    let mut served = 0u64;
    while opts.count == 0 || served < opts.count {
        match listener.accept() {
            Ok((stream, peer)) => {
                served += 1;
                if let Err(e) = serve(stream) {
                    eprintln!("{PROGNAME}: {peer}: {e}");
                }
            }
            // An aborted connection is the client's problem, not the server's.
            Err(e) => eprintln!("{PROGNAME}: accept: {e}"),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let opts = match parse_args(env::args_os().skip(1)) {
        Ok(Parsed::Run(opts)) => opts,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("{PROGNAME}: {msg}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{PROGNAME}: {msg}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn parses_port_and_count() {
        match parse_args(args(&["-p", "0", "-n", "3"])) {
            Ok(Parsed::Run(opts)) => assert_eq!((opts.port, opts.count), (0, 3)),
            _ => panic!("expected options"),
        }
    }

    #[test]
    fn rejects_bad_usage() {
        for bad in [
            &["-p"][..],
            &["-p", "70000"],
            &["-p", "+1"],
            &["-n", "x"],
            &["-x"],
        ] {
            assert!(parse_args(args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn routes_requests() {
        assert_eq!(route(b"GET / HTTP/1.0\r\n\r\n").0.status, "200 OK");
        assert_eq!(
            route(b"GET /?q=1 HTTP/1.1\r\nHost: x\r\n\r\n").0.status,
            "200 OK"
        );
        assert!(!route(b"HEAD / HTTP/1.0\r\n\r\n").1);
        assert_eq!(
            route(b"GET /nope HTTP/1.0\r\n\r\n").0.status,
            "404 Not Found"
        );
        assert_eq!(
            route(b"POST / HTTP/1.0\r\n\r\n").0.status,
            "405 Method Not Allowed"
        );
        assert_eq!(route(b"GET /\r\n\r\n").0.status, "400 Bad Request");
        assert_eq!(
            route(b"\xff / HTTP/1.0\r\n\r\n").0.status,
            "400 Bad Request"
        );
    }
}
