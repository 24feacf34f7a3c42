#!/bin/sh
# Runs m365beat with the paths of the m365beat service, so that commands such
# as `m365beat test config`, `m365beat keystore add NAME` or `m365beat setup`
# use the installed configuration, keystore and data. Flags given after these
# override them.
exec /usr/share/m365beat/bin/m365beat \
  --path.home /usr/share/m365beat \
  --path.config /etc/m365beat \
  --path.data /var/lib/m365beat \
  --path.logs /var/log/m365beat \
  "$@"
