package dev.vpngw.appliance;

import dev.vpngw.crypto.kat.SelfTest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code gateway selftest}: the published known-answer vectors and an ESP round trip of every
 * suite, on every crypto engine this machine has. Exit status 0 only if all pass; an appliance runs
 * this before it carries traffic (FIPS-style power-on self-test).
 */
@Command(
    name = "selftest",
    description = "Run the crypto known-answer tests and ESP round trips on every engine.")
final class SelfTestCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return SelfTest.run(System.out) ? 0 : 1;
  }
}
