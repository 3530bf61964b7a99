# Sourced by ./gateway and ./run-tests: finds a JDK 25+ and exports JAVA_HOME and PATH.
# The default `java` on our build machines is 17; Panama FFM is final only from JDK 22 and the
# build targets release 25, so we never trust PATH alone.
vpngw_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
vpngw_find_jdk() {
  local cand major
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$cand" ] && [ -x "$cand/bin/javac" ] || continue
    major=$(vpngw_java_major "$cand/bin/java")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$cand"
      return 0
    fi
  done
  return 1
}
if ! VPNGW_JDK=$(vpngw_find_jdk); then
  echo "error: vpngw needs a JDK 25 or newer (java.lang.foreign is final only from JDK 22; the build targets release 25)." >&2
  echo "       None found in \$JAVA_HOME or under /usr/lib/jvm. Install one (e.g. temurin-25-jdk) or set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME="$VPNGW_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
# Flags every JVM we start needs (kept identical to vpngw.jvm.flags in pom.xml).
VPNGW_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Dchronicle.analytics.disable=true
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED)
