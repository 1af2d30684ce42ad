#!/bin/sh
# A program that leaves orphans and zombies behind, for trying tend by hand:
#   tend -- examples/orphans.sh
# Its background jobs are reparented to tend (PID 1 or the subreaper) and
# reaped; the one that ignores SIGTERM is killed when tend exits.
echo "orphans.sh: pid $$, starting three background jobs"
sleep 0.2 &
sleep 0.3 &
(trap '' TERM; exec sleep 600) &
echo "orphans.sh: exiting with status 3; tend exits with it"
exit 3
