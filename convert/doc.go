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
// The output's header says where tend's defaults differ from
// supervisord's (stopasgroup and killasgroup; the AUTO log files).
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
//   - A command is a string when tend splits it into the same words as
//     supervisord's shlex, else an array of those words. Neither runs a
//     shell: a command with shell syntax (&&, |, >, $VAR...) gets a note,
//     not a /bin/sh -c that supervisord never ran.
//   - *_logfile = NONE or OFF is "NONE"; /dev/stdout, /dev/stderr and
//     their /dev/fd and /proc aliases (the Docker habit, with maxbytes = 0)
//     are tend's default, passing output through, and are left out with
//     their maxbytes and backups.
//   - [group:x] programs = a,b sets group = "x" on a and b.
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
//     when it started; elsewhere, and where ${X} would mean something
//     else, it becomes X's value now, from Options.Env, with a note, as
//     does %(host_node_name)s. A '$' in an environment value becomes "$$".
//
// What does not: [supervisorctl], [inet_http_server], [rpcinterface:x],
// [eventlistener:x], [fcgi-program:x], [ctlplugin:x]; [group:x] priority;
// process_name (tend names instances NAME-0 .. NAME-N-1) and
// numprocs_start; *_capture_maxbytes, *_events_enabled, *_syslog,
// serverurl; AUTO and syslog log files; [supervisord] logfile, pidfile,
// nodaemon, user, directory, umask, minfds, minprocs, childlogdir,
// nocleanup, strip_ansi, identifier; [unix_http_server] username, password
// and the owner in chown. supervisord has no one-shot programs: a program
// with autorestart = false and startsecs = 0 gets a note suggesting
// type = "oneshot" and depends_on, and keeps its settings.
package convert
