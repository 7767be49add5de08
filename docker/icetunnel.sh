#!/bin/sh
# icetunnel in the ICE image: bin/icetunnel's exec line, with the image's Java runtime and jar. exec makes Java the
# container's first process, so the SIGTERM of `docker stop` reaches it: the sidecar removes its rules and exits 0.
# ICE_JAVA_OPTS is split into words on purpose: it holds JVM options, e.g. "-Xmx64m -XX:+UseSerialGC".
# shellcheck disable=SC2086
exec /opt/java/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  ${ICE_JAVA_OPTS:-} -jar /opt/ice/icetunnel.jar "$@"
