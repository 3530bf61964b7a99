package dev.vpngw.esp.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an independent tool (tshark, scapy) to completion and hands back what it printed. */
final class ExternalProcess {
  /** What a finished process printed and returned. */
  record Result(int exitCode, String stdout, String stderr) {}

  private ExternalProcess() {}

  /** Runs {@code command}, feeding {@code stdin}; fails the caller if it outlives the timeout. */
  static Result run(List<String> command, String stdin, long timeoutSeconds)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).start();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command.get(0) + " did not finish in " + timeoutSeconds + " s");
    }
    return new Result(process.exitValue(), out.join(), err.join());
  }

  /** True when {@code executable} exists and is executable. */
  static boolean available(String executable) {
    return new java.io.File(executable).canExecute();
  }

  private static String readAll(java.io.InputStream stream) {
    try {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }
}
