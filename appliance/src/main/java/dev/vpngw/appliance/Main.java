package dev.vpngw.appliance;

/** Entry point of the appliance process; the subcommands grow with the product. */
public final class Main {
  private Main() {}

  /** Runs one subcommand. */
  public static void main(String[] args) {
    System.out.println("vpngw: nothing here yet");
  }
}
