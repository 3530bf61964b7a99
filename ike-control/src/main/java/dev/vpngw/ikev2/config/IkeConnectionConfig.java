package dev.vpngw.ikev2.config;

import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.selector.TrafficSelector;
import java.net.InetAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the IKE daemon needs to negotiate one connection (an IKE SA and its child SA) with one
 * peer: addresses, identities and authentication, ordered proposals, lifetimes, DPD and which side
 * starts. Built and validated by the appliance's config loader; immutable.
 *
 * @param name the connection's name (logs, status, the dataplane tunnel)
 * @param localAddress our IKE and ESP address
 * @param remoteAddress the peer's address
 * @param localId the identity we send (IDi or IDr)
 * @param remoteId the identity the peer must prove, or null to accept the peer's address
 * @param localAuth how we authenticate
 * @param remoteAuth how the peer must authenticate
 * @param ikeProposals IKE SA proposals, most preferred first
 * @param espProposals child SA proposals, most preferred first (a DH group is the PFS group)
 * @param localTs our side's traffic selectors (route-based: 0.0.0.0/0 and ::/0)
 * @param remoteTs the peer's side's traffic selectors
 * @param lifetimes when the SAs are rekeyed and when they expire
 * @param dpdDelay idle time after which we check the peer is alive (zero: never)
 * @param dpdTimeout how long an unanswered check may go before the peer is declared dead
 * @param dpdAction what follows a dead peer
 * @param mode which side starts the IKE SA
 * @param forceEncapsulation send ESP in UDP even without a NAT (RFC 3948), telling the peer so
 * @param childPerPair one child SA per pair of a local and a remote selector (policy-based VPNs,
 *     Azure's usePolicyBasedTrafficSelectors) instead of one child SA for all of them
 */
public record IkeConnectionConfig(
    String name,
    InetAddress localAddress,
    InetAddress remoteAddress,
    Identity localId,
    Identity remoteId,
    Auth localAuth,
    Auth remoteAuth,
    List<Proposal> ikeProposals,
    List<Proposal> espProposals,
    List<TrafficSelector> localTs,
    List<TrafficSelector> remoteTs,
    Lifetimes lifetimes,
    Duration dpdDelay,
    Duration dpdTimeout,
    DpdAction dpdAction,
    ConnectionMode mode,
    boolean forceEncapsulation,
    boolean childPerPair) {

  /** Checks presence and consistency; the loader checks the finer points with field names. */
  public IkeConnectionConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(localId, "localId");
    Objects.requireNonNull(localAuth, "localAuth");
    Objects.requireNonNull(remoteAuth, "remoteAuth");
    Objects.requireNonNull(lifetimes, "lifetimes");
    Objects.requireNonNull(dpdAction, "dpdAction");
    Objects.requireNonNull(mode, "mode");
    ikeProposals = List.copyOf(ikeProposals);
    espProposals = List.copyOf(espProposals);
    localTs = List.copyOf(localTs);
    remoteTs = List.copyOf(remoteTs);
    if (ikeProposals.isEmpty() || espProposals.isEmpty()) {
      throw new IllegalArgumentException(name + ": at least one IKE and one ESP proposal needed");
    }
    if (localTs.isEmpty() || remoteTs.isEmpty()) {
      throw new IllegalArgumentException(name + ": traffic selectors on both sides needed");
    }
  }

  /** How one side authenticates (RFC 7296 2.15). */
  public sealed interface Auth permits Psk, Certificate, CertificateAuthority {}

  /**
   * A pre-shared key, the same on both sides.
   *
   * @param secret the key bytes (never printed)
   */
  public record Psk(byte[] secret) implements Auth {
    /** Copies the secret. */
    public Psk {
      secret = secret.clone();
    }

    @Override
    public String toString() {
      return "Psk[" + secret.length + " bytes]";
    }
  }

  /**
   * Our own certificate authentication: the chain we send (end entity first) and its key.
   *
   * @param chain our certificate, then intermediates
   * @param key the end entity's private key
   */
  public record Certificate(List<X509Certificate> chain, PrivateKey key) implements Auth {
    /** Copies the list. */
    public Certificate {
      chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
      return "Certificate[" + chain.get(0).getSubjectX500Principal() + "]";
    }
  }

  /**
   * The peer authenticates with a certificate that chains to one of these CAs.
   *
   * @param trusted the trust anchors
   */
  public record CertificateAuthority(List<X509Certificate> trusted) implements Auth {
    /** Copies the list. */
    public CertificateAuthority {
      trusted = List.copyOf(trusted);
    }
  }

  /**
   * SA lifetimes: an SA is rekeyed {@code margin} (less up to {@code jitter}) before it expires, by
   * time or, for a child SA, by volume.
   *
   * @param ike the IKE SA's lifetime
   * @param child the child SA's lifetime in time
   * @param childKilobytes the child SA's lifetime in kilobytes (0: unlimited)
   * @param margin how long before expiry a rekey starts
   * @param jitter a random part taken off the rekey time, so two peers do not collide
   */
  public record Lifetimes(
      Duration ike, Duration child, long childKilobytes, Duration margin, Duration jitter) {
    /** Azure's defaults: IKE 28,800 s, child 27,000 s and 102,400,000 KB. */
    public static Lifetimes defaults() {
      return new Lifetimes(
          Duration.ofSeconds(28_800),
          Duration.ofSeconds(27_000),
          102_400_000,
          Duration.ofSeconds(540),
          Duration.ofSeconds(180));
    }

    /** Checks the margins fit inside the lifetimes. */
    public Lifetimes {
      if (margin.plus(jitter).compareTo(child) >= 0 || margin.plus(jitter).compareTo(ike) >= 0) {
        throw new IllegalArgumentException(
            "rekey margin + jitter (" + margin.plus(jitter) + ") must be below the lifetimes");
      }
    }
  }
}
