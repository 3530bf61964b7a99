package dev.vpngw.ha.journal;

import dev.vpngw.ha.journal.HaRecord.ChildSa;
import dev.vpngw.ha.journal.HaRecord.ChildSaAdded;
import dev.vpngw.ha.journal.HaRecord.ChildSaDeleted;
import dev.vpngw.ha.journal.HaRecord.Config;
import dev.vpngw.ha.journal.HaRecord.IkeMessageIds;
import dev.vpngw.ha.journal.HaRecord.IkeSa;
import dev.vpngw.ha.journal.HaRecord.IkeSaAdded;
import dev.vpngw.ha.journal.HaRecord.IkeSaDeleted;
import dev.vpngw.ha.journal.HaRecord.IkeSaId;
import dev.vpngw.ha.journal.HaRecord.IkeSaUpdated;
import dev.vpngw.ha.journal.HaRecord.SequenceHandover;
import dev.vpngw.ha.journal.HaRecord.SequenceMark;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The warm copy of the gateway's tunnel state that journal records build: IKE SAs by their SPI
 * pair, child SAs by inbound SPI, sequence marks by outbound SPI, and the config. Applying a record
 * is idempotent (records are whole states or deletions), so replaying a journal from a snapshot is
 * safe whatever was applied before. Not thread-safe: one owner ({@link ReplicationLog}).
 */
public final class ReplicatedState {
  private final Map<IkeSaId, IkeSa> ikeSas = new LinkedHashMap<>();
  private final Map<Integer, ChildSa> childSas = new LinkedHashMap<>();
  private final Map<Integer, Long> marks = new LinkedHashMap<>();
  private final Map<Integer, SequenceHandover> handovers = new LinkedHashMap<>();
  private String config;

  /** Applies one record. */
  public void apply(HaRecord record) {
    switch (record) {
      case IkeSaAdded r -> ikeSas.put(r.sa().id(), r.sa());
      case IkeSaUpdated r -> ikeSas.put(r.sa().id(), r.sa());
      case IkeSaDeleted r -> {
        ikeSas.remove(r.id());
        childSas
            .values()
            .removeIf(
                c -> {
                  if (c.parent().equals(r.id())) {
                    marks.remove(c.outboundSpi());
                    handovers.remove(c.outboundSpi());
                    return true;
                  }
                  return false;
                });
      }
      case ChildSaAdded r -> childSas.put(r.sa().inboundSpi(), r.sa());
      case ChildSaDeleted r -> {
        ChildSa old = childSas.remove(r.inboundSpi());
        if (old != null) {
          marks.remove(old.outboundSpi());
          handovers.remove(old.outboundSpi());
        }
      }
      case SequenceMark r -> {
        marks.merge(r.outboundSpi(), r.mark(), Math::max);
        handovers.remove(r.outboundSpi());
      }
      case SequenceHandover r -> {
        long mark = marks.merge(r.outboundSpi(), r.mark(), Math::max);
        handovers.put(
            r.outboundSpi(),
            new SequenceHandover(r.outboundSpi(), r.sentUpTo(), mark, r.fromNode()));
      }
      case IkeMessageIds r ->
          ikeSas.computeIfPresent(
              r.id(),
              (id, sa) ->
                  new IkeSa(
                      sa.id(),
                      sa.connection(),
                      sa.initiator(),
                      sa.ikeVersion(),
                      sa.encryption(),
                      sa.encryptionKeyBits(),
                      sa.integrity(),
                      sa.prf(),
                      sa.dhGroup(),
                      sa.skD(),
                      sa.skAi(),
                      sa.skAr(),
                      sa.skEi(),
                      sa.skEr(),
                      sa.skPi(),
                      sa.skPr(),
                      sa.local(),
                      sa.remote(),
                      sa.natLocal(),
                      sa.natRemote(),
                      r.nextRequestId(),
                      r.requestInFlight(),
                      r.nextExpectedId()));
      case Config r -> config = r.text();
    }
  }

  /** Forgets everything (before a snapshot is applied). */
  public void clear() {
    ikeSas.clear();
    childSas.clear();
    marks.clear();
    handovers.clear();
    config = null;
  }

  /** The state as records that rebuild it when applied to an empty state (a snapshot). */
  public List<HaRecord> toRecords() {
    List<HaRecord> records = new ArrayList<>();
    if (config != null) {
      records.add(new Config(config));
    }
    ikeSas.values().forEach(sa -> records.add(new IkeSaAdded(sa)));
    childSas.values().forEach(c -> records.add(new ChildSaAdded(c)));
    marks.forEach(
        (spi, mark) -> {
          SequenceHandover h = handovers.get(spi);
          records.add(h != null ? h : new SequenceMark(spi, mark));
        });
    return records;
  }

  /** The handover of the outbound SA with this SPI in a planned switchover, if one is under way. */
  public Optional<SequenceHandover> sequenceHandover(int outboundSpi) {
    return Optional.ofNullable(handovers.get(outboundSpi));
  }

  /** The IKE SA with this id. */
  public Optional<IkeSa> ikeSa(IkeSaId id) {
    return Optional.ofNullable(ikeSas.get(id));
  }

  /** The child SA with this inbound SPI. */
  public Optional<ChildSa> childSa(int inboundSpi) {
    return Optional.ofNullable(childSas.get(inboundSpi));
  }

  /** The last replicated sequence mark of the outbound SA with this SPI. */
  public OptionalLong sequenceMark(int outboundSpi) {
    Long mark = marks.get(outboundSpi);
    return mark == null ? OptionalLong.empty() : OptionalLong.of(mark);
  }

  /** The replicated config text, if any. */
  public Optional<String> config() {
    return Optional.ofNullable(config);
  }

  /** How many IKE SAs. */
  public int ikeSaCount() {
    return ikeSas.size();
  }

  /** How many child SAs. */
  public int childSaCount() {
    return childSas.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReplicatedState s
        && ikeSas.equals(s.ikeSas)
        && childSas.equals(s.childSas)
        && marks.equals(s.marks)
        && handovers.equals(s.handovers)
        && java.util.Objects.equals(config, s.config);
  }

  @Override
  public int hashCode() {
    return ikeSas.size() * 31 + childSas.size();
  }

  @Override
  public String toString() {
    return "ReplicatedState["
        + ikeSas.size()
        + " IKE SAs, "
        + childSas.size()
        + " child SAs, "
        + marks.size()
        + " marks]";
  }
}
