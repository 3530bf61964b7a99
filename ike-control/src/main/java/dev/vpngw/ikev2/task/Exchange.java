package dev.vpngw.ikev2.task;

import java.util.List;

/**
 * One request/response pair we start: its exchange type and the tasks that fill the request and
 * read the response.
 *
 * @param exchangeType IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA or INFORMATIONAL
 * @param tasks the tasks, in payload order
 * @param name what it does, for logs
 */
public record Exchange(int exchangeType, List<IkeTask> tasks, String name) {
  /** Copies the list. */
  public Exchange {
    tasks = List.copyOf(tasks);
  }
}
