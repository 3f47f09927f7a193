/* banned.h: functions that must not be used in ounce. Included last by every .c
 * that spawns or formats: a use becomes a compile error. */
#ifndef OUNCE_BANNED_H
#define OUNCE_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_use_spawn_or_buf

#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)

#endif
