// Package convert turns a supervisord config (an INI .conf) into tend's
// TOML, for tend convert.
//
// It reads the file as supervisord does: Python's configparser (';' and
// '#' comments, inline after a blank; indented continuation lines;
// [DEFAULT]; sections merged across files), %(name)s expansion with
// Python's format widths, shlex for commands and supervisord's KEY=value
// parser for environments. A line it cannot read, or a value supervisord
// itself would refuse, is an *Error: one line, FILE:LINE: problem. Anything
// else converts, and whatever does not carry over is a comment in the
// output saying so and why: "# not carried over: KEY = VALUE (REASON)".
// Where tend's defaults differ from supervisord's, supervisord's values are
// written out, so that each program behaves as it did: stopasgroup and
// killasgroup (false unless set, killasgroup following stopasgroup) in
// every program. The output's header says so, and what cannot be written
// out (the AUTO log files).
//
// [include] files are read as supervisord reads them (globs relative to the
// main file's directory, each file's %(here)s its own directory), and their
// sections are inlined: the output is one TOML file, each program headed
// by the file it came from. One file is simpler to read, to check and to
// copy into an image than a main file with tend's include and a directory
// of fragments, and supervisord's fragments may hold any section, which
// tend's included files may not.
//
// What carries over:
//
//   - [program:x] becomes [program.x]. A name with characters tend does
//     not allow (letters, digits, '_', '.', '-') has them changed to '-'.
//     command, directory, user, umask, environment, autostart, autorestart
//     (true, false, unexpected become "always", "never", "unexpected"),
//     exitcodes, startsecs, startretries, stopsignal, stopwaitsecs,
//     stopasgroup, killasgroup (which follows stopasgroup when unset, as
//     in supervisord), priority, numprocs, redirect_stderr, and the
//     stdout_logfile and stderr_logfile keys with _maxbytes and _backups.
//     A user tend cannot take is an error: left out, the program would
//     run as tend's user, root in most containers.
//   - Log paths are kept as given, also when one file takes a program's
//     stdout and stderr, several programs, or every instance of one
//     (supervisord allows it; tend shares the file, whole lines each).
//   - A command is a string when tend splits it into the same words as
//     supervisord's shlex, else an array of those words. Neither runs a
//     shell: a command with shell syntax (&&, |, >, $VAR...) gets a note,
//     not a /bin/sh -c that supervisord never ran. The note looks at the
//     command as written: what a %(ENV_X)s brings, and the script of a
//     shell run with -c (also behind nice, env and the like), is no
//     sign of a missing shell.
//   - *_logfile = NONE or OFF is "NONE"; /dev/stdout, /dev/stderr and
//     their /dev/fd and /proc aliases (the Docker habit, with maxbytes = 0)
//     are tend's default, passing output through, and are left out with
//     their maxbytes and backups.
//   - [group:x] programs = a,b sets group = "x" on a and b, and its
//     priority becomes the priority of each member that sets none.
//     supervisord orders groups by their priority, then each group's
//     programs by theirs; a member's own priority is kept, with a note
//     naming the programs it now starts on the other side of (order.go).
//   - [supervisord] loglevel becomes [tend] log_level; its environment goes
//     into every program's environment table, under the program's own, as
//     supervisord merges them.
//   - [unix_http_server] file, chmod and the group of chown become
//     [tend] socket, socket_mode and socket_group.
//   - %(program_name)s, %(group_name)s, %(here)s and %(numprocs)d become
//     their values. %(process_num)d becomes ${PROCESS_NUM} where tend
//     expands it (command, directory, environment, log paths; tend pads
//     no zeros, and a note says so), or its value with numprocs = 1. In an
//     environment table %(ENV_X)s becomes ${X}, which tend expands from
//     its own environment when it loads the config, as supervisord did
//     when it started. Elsewhere (tend expands ${X} in no other key: a
//     command, a path and a number take only ${PROCESS_NUM}), and where
//     ${X} would mean something else, it becomes X's value now, from
//     Options.Env, with a note, as does %(host_node_name)s. The note
//     never shows the value of a name that looks secret (PASS, PWD,
//     SECRET, TOKEN, KEY, CRED, AUTH, PRIVATE, SALT, COOKIE, SESSION
//     anywhere in it, any case: see secretWords), and one in a command
//     says that the file now holds it. An X that is not set is an error
//     naming it, except in a command and an environment value, where it
//     becomes "" with a note; autostart and numprocs so set get a note
//     that supervisord read them from the environment (tend's take no
//     ${...} yet). A '$' in an environment value becomes "$$".
//   - A program whose command kills supervisord (by its pidfile, as the
//     parent, supervisorctl shutdown) when its work ends gets
//     required = true, which stops tend likewise, rather than a one-shot
//     hint; an [eventlistener:x] on PROCESS_STATE_FATAL or _EXITED that
//     kills supervisord gets a note pointing at required = true
//     (listener.go).
//
// What does not: [supervisorctl], [inet_http_server], [rpcinterface:x],
// [eventlistener:x], [fcgi-program:x], [ctlplugin:x];
// process_name (tend names instances NAME-0 .. NAME-N-1) and
// numprocs_start; *_capture_maxbytes, *_events_enabled, *_syslog,
// serverurl; AUTO and syslog log files; [supervisord] logfile, pidfile,
// nodaemon, user, directory, umask, minfds, minprocs, childlogdir,
// nocleanup, strip_ansi, identifier; [unix_http_server] username, password
// and the owner in chown. supervisord has no one-shot programs: a program
// with autorestart = false and startsecs = 0 gets a note suggesting
// type = "oneshot" and depends_on, and keeps its settings.
package convert
