package dev.vpngw.appliance.interop;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs the short-lived commands of the interop tests (swanctl, ip, ping) to completion with a
 * deadline, and polls conditions with a deadline: the tests wait for what they need to see, never
 * for a fixed time. Both output streams are drained concurrently so a chatty command cannot block
 * on a full pipe while we wait for it to exit.
 */
public final class Shell {
  /** Standard input for every command: none, so nothing ever waits for a terminal. */
  static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new File("/dev/null"));

  private Shell() {}

  /** A finished command: its exit status and its standard output and error, in that order. */
  public record Result(List<String> command, int exit, String output, String errors) {
    /** True when the command exited with status 0. */
    public boolean ok() {
      return exit == 0;
    }

    /** The command line, its exit status and everything it printed, for failure messages. */
    public String describe() {
      return String.join(" ", command) + " exited " + exit + ":\n" + output + errors;
    }
  }

  /** Runs {@code command}; a command still running at the deadline is killed and reported. */
  public static Result run(Duration timeout, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectInput(NO_INPUT).start();
    CompletableFuture<String> err = drain(p.getErrorStream());
    CompletableFuture<String> out = drain(p.getInputStream());
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new IOException(
            String.join(" ", command) + " still running after " + timeout + ":\n" + out.join());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + String.join(" ", command), e);
    }
    return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
  }

  /** Runs {@code command} and fails with its output unless it exits 0. */
  public static Result check(Duration timeout, List<String> command) throws IOException {
    Result r = run(timeout, command);
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
    return r;
  }

  /** {@code ip netns exec namespace command...}. */
  public static List<String> inNamespace(String namespace, String... command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    c.addAll(List.of(command));
    return c;
  }

  /**
   * Polls {@code condition} every 50 ms until it holds or {@code timeout} passes; returns whether
   * it held. The condition is tried once more at the deadline so a slow last poll still counts.
   */
  public static boolean poll(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }

  /** Like {@link #poll} but fails with {@code why} when the condition never held. */
  public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> why) {
    if (!poll(timeout, condition)) {
      throw new AssertionError("timed out after " + timeout + ": " + why.get());
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        // Own threads, not the common pool: with 2 cores it has one thread, and a second
        // drain queued behind the first would leave a full stderr pipe blocking the command.
        task -> Thread.ofPlatform().daemon().name("drain").start(task));
  }
}
