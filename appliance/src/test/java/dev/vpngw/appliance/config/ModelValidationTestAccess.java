package dev.vpngw.appliance.config;

/** The model tests' sample configurations, for tests in other packages. */
public final class ModelValidationTestAccess {
  private ModelValidationTestAccess() {}

  /** gw-a (10.1.0.0/16) with site-b (10.2.0.0/16) and site-c (10.3.0.0/16), PSK connections. */
  public static String twoSites() {
    return ConfigDiffTest.BASE;
  }
}
