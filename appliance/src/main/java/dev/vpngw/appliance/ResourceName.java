package dev.vpngw.appliance;

import picocli.CommandLine.Option;

/** The {@code --name} every create, update, show and delete of a named resource requires. */
final class ResourceName {
  @Option(
      names = {"--name", "-n"},
      required = true,
      description = "The resource's name.")
  String name;
}
