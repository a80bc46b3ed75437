package io.shulian.gateway.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.GenericMapOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import io.shulian.core.policy.GrantUseCounter;
import io.shulian.core.policy.RateLimiter;
import io.shulian.core.policy.StateNotReplicatedException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of a department's gateway replicas, shared in Redis (Lettuce): replay ids as {@code SET
 * NX PX} bounded by the envelope's validity, grant uses counted by a Lua script that checks and
 * increments atomically, rate limits as a sliding-window counter in a Lua script. Every command is
 * one key, so a Redis Cluster routes it to the node that holds the key.
 *
 * <p><b>Local front.</b> Only what cannot become wrong is remembered in the process: envelope ids
 * already seen (a replay stays a replay). "Not seen" and grant counts are always asked of Redis.
 *
 * <p><b>When Redis is slow or down</b> (no answer within {@code timeout}, connection lost, an error)
 * each concern does what it is configured to do ({@link OnUnavailable}): {@code REFUSE} (the
 * default for replay and grants) refuses the exchange — 503 {@code STATE_UNAVAILABLE} — and
 * {@code ALLOW_LOCAL} (the default for rate limits) decides with this process's own in-memory state
 * until Redis answers again, which for replay and grants gives up the guarantee across replicas.
 * Each such event is counted ({@code shulian_state_unavailable_total{concern,action}}) and logged
 * ({@code event=state_unavailable}); the client reconnects on its own and the next command that
 * succeeds ends the episode.
 *
 * <p><b>Durability</b> is Redis's: a use is acknowledged once Redis applied it; what survives a
 * Redis crash depends on its persistence ({@code appendonly yes}; see docs/scale-out.md). With
 * {@link Builder#replicas} {@code n > 0}, each replay id and grant use is followed, on the same
 * connection (in a Cluster: the connection to the master of the key's slot) and pipelined, by
 * {@code WAIT n waitTimeout}: fewer than {@code n} replicas acknowledging in time refuses the
 * exchange ({@link StateNotReplicatedException}; counted as {@code
 * shulian_state_not_replicated_total{concern}}) — the write stays on the master: the envelope id
 * is recorded (a retry of that envelope is a replay), the grant use is counted although nothing
 * was served. Rate counts are never waited for.
 *
 * <p>Commands are synchronous (bounded by {@code timeout}) and thread-safe; one connection is
 * shared by all event loops (Lettuce pipelines their commands).
 */
public final class RedisState implements SharedState {
  private static final Logger LOG = LoggerFactory.getLogger(RedisState.class);
  /** Grant counts are kept this much longer than their grant, for replicas whose clocks lag. */
  static final Duration GRANT_KEEP_EXTRA = Duration.ofHours(1);
  private static final long LOCAL_SEEN_MAX = 200_000;

  /** Checks and increments a grant's count in one step; ARGV: max uses, keep-for millis (0: forever). */
  static final String GRANT_SCRIPT = String.join("\n",
      "local n = tonumber(redis.call('GET', KEYS[1]) or '0')",
      "if n >= tonumber(ARGV[1]) then return 0 end",
      "redis.call('INCR', KEYS[1])",
      "local keep = tonumber(ARGV[2])",
      "if keep > 0 and redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end",
      "return 1");

  /**
   * A sliding-window counter: the previous window's count weighted by how much of it still
   * overlaps the last {@code per}, plus this window's. ARGV: max, per millis, now millis (the
   * gateway's clock; a replica whose clock lags counts into the newest window stored).
   */
  static final String RATE_SCRIPT = String.join("\n",
      "local max = tonumber(ARGV[1])",
      "local per = tonumber(ARGV[2])",
      "local now = tonumber(ARGV[3])",
      "local win = math.floor(now / per)",
      "local h = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')",
      "local w = tonumber(h[1])",
      "local c = tonumber(h[2]) or 0",
      "local p = tonumber(h[3]) or 0",
      "if w == nil then c = 0; p = 0",
      "elseif w > win then win = w",
      "elseif w == win - 1 then p = c; c = 0",
      "elseif w < win then p = 0; c = 0 end",
      "local into = (now - win * per) / per",
      "if into < 0 then into = 0 elseif into > 1 then into = 1 end",
      "if p * (1 - into) + c >= max then return 0 end",
      "redis.call('HSET', KEYS[1], 'w', string.format('%d', win), 'c', c + 1, 'p', p)",
      "redis.call('PEXPIRE', KEYS[1], per * 2)",
      "return 1");

  /** What a concern does while Redis does not answer. */
  public enum OnUnavailable {
    /** Refuse the exchange (503 STATE_UNAVAILABLE): nothing is served without the shared state. */
    REFUSE,
    /** Decide with this process's in-memory state only (no guarantee across replicas meanwhile). */
    ALLOW_LOCAL;

    /** Parses {@code refuse} or {@code allow-local}. */
    public static OnUnavailable parse(String s) {
      switch (s) {
        case "refuse":
          return REFUSE;
        case "allow-local":
          return ALLOW_LOCAL;
        default:
          throw new IllegalArgumentException("'" + s + "' is not one of refuse, allow-local");
      }
    }

    public String wireName() {
      return this == REFUSE ? "refuse" : "allow-local";
    }
  }

  /** The three kinds of shared state. */
  public enum Concern {
    REPLAY, GRANTS, RATES;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String address;
  private final String prefix;
  private final int replicas;
  private final long waitMillis;
  private final Duration timeout;
  /** The connection a key's write and its WAIT go on: the one connection, or in a Cluster the key's master's. */
  private final Function<String, RedisClusterAsyncCommands<String, String>> writer;
  private final Clock clock;
  private final EnumMap<Concern, OnUnavailable> onUnavailable;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> redis;
  private final String grantSha = sha1(GRANT_SCRIPT);
  private final String rateSha = sha1(RATE_SCRIPT);
  private final Cache<UUID, Instant> seen;
  private final ReplayCache localReplay;
  private final GrantUseCounter localGrants = GrantUseCounter.inMemory();
  private final RateLimiter localRates = RateLimiter.inMemory();
  private final ReplayCache replayCache = this::firstSeen;
  private final GrantUseCounter grantUses = new Grants();
  private final RateLimiter rateLimiter = this::tryAcquire;
  /** Commands sent and episodes of unavailability, by concern (index: ordinal; [c][0] refused, [c][1] local). */
  private final AtomicLong[] ops = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private final AtomicLong[][] unavailableCount = {
      {new AtomicLong(), new AtomicLong()}, {new AtomicLong(), new AtomicLong()}, {new AtomicLong(), new AtomicLong()}};
  private final AtomicLong localSeenHits = new AtomicLong();
  /** Writes applied by the master but acknowledged by fewer than {@code replicas} replicas, by concern. */
  private final AtomicLong[] notReplicated = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private volatile @Nullable String lastFailure;
  private volatile long lastWarnNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
  /** How often {@link #unavailable()} may ask Redis whether it answers again. */
  static final Duration RECHECK_INTERVAL = Duration.ofSeconds(1);
  private final AtomicLong lastRecheckNanos = new AtomicLong(System.nanoTime() - RECHECK_INTERVAL.toNanos());
  private final AtomicLong lastSlotMapRefreshNanos = new AtomicLong(System.nanoTime() - RECHECK_INTERVAL.toNanos());

  private RedisState(Builder b, ClientResources resources, AbstractRedisClient client,
      StatefulConnection<String, String> connection, RedisClusterCommands<String, String> redis) {
    this.address = b.address;
    this.prefix = b.keyPrefix;
    this.replicas = b.replicas;
    this.timeout = b.timeout;
    this.waitMillis = b.waitTimeout().toMillis();
    if (connection instanceof StatefulRedisClusterConnection) {
      StatefulRedisClusterConnection<String, String> cc = (StatefulRedisClusterConnection<String, String>) connection;
      this.writer = key -> {
        RedisClusterNode n = cc.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
        if (n == null) {
          throw new IllegalStateException("no Redis Cluster node serves the slot of the key (cluster not ok)");
        }
        return cc.getConnection(n.getNodeId()).async();
      };
    } else {
      RedisClusterAsyncCommands<String, String> a = ((StatefulRedisConnection<String, String>) connection).async();
      this.writer = key -> a;
    }
    this.clock = b.clock;
    this.onUnavailable = new EnumMap<>(b.onUnavailable);
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.redis = redis;
    this.localReplay = ReplayCache.inMemory(b.maxLocalReplayEntries, clock);
    this.seen = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumSize(LOCAL_SEEN_MAX) // evicting a seen id is safe: Redis still holds it
        .expireAfter(Expiry.<UUID, Instant>creating((id, forgetAfter) -> {
          Duration d = Duration.between(clock.instant(), forgetAfter);
          return d.isNegative() ? Duration.ZERO : d;
        }))
        .build();
  }

  /** Starts configuring a connection to {@code address} (see {@link Builder#open} for the forms). */
  public static Builder builder(String address) {
    return new Builder(address);
  }

  @Override
  public ReplayCache replayCache() {
    return replayCache;
  }

  @Override
  public GrantUseCounter grantUses() {
    return grantUses;
  }

  @Override
  public RateLimiter rateLimiter() {
    return rateLimiter;
  }

  /** What each concern does while Redis does not answer. */
  public OnUnavailable onUnavailable(Concern c) {
    return Objects.requireNonNull(onUnavailable.get(c));
  }

  /**
   * Returns why Redis cannot be used, when it cannot and a concern is configured to refuse
   * meanwhile: the connection is down, or the last command failed and none succeeded since.
   */
  @Override
  public Optional<String> unavailable() {
    String f = lastFailure;
    if (!connection.isOpen()) {
      f = "the connection to Redis " + address + " is down (reconnecting)";
    } else if (f != null) {
      // no exchange may come to clear it (a balancer that reads /readyz sends none): ask Redis
      recheck();
    }
    if (f == null || !onUnavailable.containsValue(OnUnavailable.REFUSE)) {
      return Optional.empty();
    }
    return Optional.of(f);
  }

  /**
   * After a failed command, at most once per {@link #RECHECK_INTERVAL}: writes a short-lived probe
   * key (and, with {@code redisReplicas}, waits for that many replicas to acknowledge it) without
   * blocking the caller; when it succeeds the store counts as answering again. Until then
   * {@link #unavailable()} keeps saying why not.
   */
  private void recheck() {
    long now = System.nanoTime();
    long last = lastRecheckNanos.get();
    if (now - last < RECHECK_INTERVAL.toNanos() || !lastRecheckNanos.compareAndSet(last, now)) {
      return;
    }
    String key = prefix + "probe:ready";
    try {
      RedisClusterAsyncCommands<String, String> a = writer.apply(key);
      java.util.concurrent.CompletionStage<Boolean> ok = a.set(key, "1", SetArgs.Builder.px(10_000))
          .thenCompose(x -> replicas == 0 ? java.util.concurrent.CompletableFuture.completedFuture(Boolean.TRUE)
              : a.waitForReplication(replicas, waitMillis).thenApply(n -> n != null && n >= replicas));
      ok.toCompletableFuture().orTimeout(timeout.toMillis() + waitMillis, TimeUnit.MILLISECONDS)
          .whenComplete((good, e) -> {
            if (e == null && Boolean.TRUE.equals(good)) {
              answered();
            }
          });
    } catch (RuntimeException e) {
      // no node serves the probe's slot, or the connection refused the command: still unavailable
    }
  }

  /** Registers this store's meters (commands sent, unavailability, connection state). */
  public void bindMetrics(MeterRegistry registry) {
    for (Concern c : Concern.values()) {
      FunctionCounter.builder("shulian_state_redis_commands", ops[c.ordinal()], AtomicLong::get)
          .description("commands sent to the shared state in Redis").tag("concern", c.label()).register(registry);
      String[] actions = {"refused", "local"};
      for (int a = 0; a < 2; a++) {
        FunctionCounter.builder("shulian_state_unavailable", unavailableCount[c.ordinal()][a], AtomicLong::get)
            .description("decisions taken while the shared state in Redis did not answer")
            .tag("concern", c.label()).tag("action", actions[a]).register(registry);
      }
    }
    for (Concern c : List.of(Concern.REPLAY, Concern.GRANTS)) {
      FunctionCounter.builder("shulian_state_not_replicated", notReplicated[c.ordinal()], AtomicLong::get)
          .description("writes the Redis master applied but fewer than state.redisReplicas replicas acknowledged in time")
          .tag("concern", c.label()).register(registry);
    }
    FunctionCounter.builder("shulian_state_replay_local_hits", localSeenHits, AtomicLong::get)
        .description("replays recognised by the local front without asking Redis").register(registry);
    Gauge.builder("shulian_state_redis_up", this, s -> s.connection.isOpen() && s.lastFailure == null ? 1 : 0)
        .description("1 while the shared state in Redis answers").register(registry);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RedisState[" + address + "]";
  }

  // ---------------------------------------------------------------- the three concerns

  private boolean firstSeen(UUID id, Instant forgetAfter) throws ReplayStateUnavailableException {
    if (seen.getIfPresent(id) != null) {
      localSeenHits.incrementAndGet();
      return false;
    }
    long keepMillis = Math.max(1, forgetAfter.toEpochMilli() - clock.millis());
    String answer;
    long acked = replicas;
    try {
      ops[Concern.REPLAY.ordinal()].incrementAndGet();
      String key = prefix + "replay:" + id;
      SetArgs nx = SetArgs.Builder.nx().px(keepMillis);
      if (replicas == 0) {
        answer = redis.set(key, "1", nx);
      } else {
        Written<String> w = written(key, a -> a.set(key, "1", nx));
        answer = w.answer();
        acked = w.acks();
      }
    } catch (RuntimeException e) {
      if (unavailable(Concern.REPLAY, e) == OnUnavailable.REFUSE) {
        throw new ReplayStateUnavailableException("the shared replay state in Redis does not answer ("
            + e.getClass().getSimpleName() + "); the envelope is refused, not served unprotected");
      }
      return localReplay.firstSeen(id, forgetAfter);
    }
    // set or not, the id is in Redis now: remembering it locally cannot be wrong
    seen.put(id, forgetAfter);
    boolean first = "OK".equals(answer);
    if (first && acked < replicas) {
      StateNotReplicatedException e = notReplicated(Concern.REPLAY, acked);
      if (onUnavailable(Concern.REPLAY) == OnUnavailable.REFUSE) {
        // the id stays on the master: this envelope is not served now, and a retry of it is a replay
        throw new ReplayStateUnavailableException("the envelope id was recorded by the Redis master but "
            + e.getMessage() + "; the envelope is refused", e);
      }
      return true;
    }
    answered();
    return first;
  }

  private final class Grants implements GrantUseCounter {
    @Override
    public boolean tryUse(String grantKey, long maxUses) {
      return tryUse(grantKey, maxUses, Instant.ofEpochMilli(Long.MAX_VALUE));
    }

    @Override
    public boolean tryUse(String grantKey, long maxUses, Instant forgetAfter) {
      long keep = forgetAfter.toEpochMilli() == Long.MAX_VALUE ? 0
          : Math.max(1, forgetAfter.toEpochMilli() - clock.millis() + GRANT_KEEP_EXTRA.toMillis());
      Long r;
      long acked = replicas;
      try {
        String key = prefix + "grant:" + grantKey;
        String[] args = {Long.toString(maxUses), Long.toString(keep)};
        if (replicas == 0) {
          r = script(Concern.GRANTS, GRANT_SCRIPT, grantSha, key, args);
        } else {
          ops[Concern.GRANTS.ordinal()].incrementAndGet();
          Written<Long> w = scriptWritten(GRANT_SCRIPT, grantSha, key, args);
          r = w.answer();
          acked = w.acks();
        }
      } catch (RuntimeException e) {
        if (unavailable(Concern.GRANTS, e) == OnUnavailable.REFUSE) {
          throw new IllegalStateException("the shared grant state in Redis does not answer (" + e.getClass().getSimpleName()
              + ")", e);
        }
        return localGrants.tryUse(grantKey, maxUses, forgetAfter);
      }
      boolean used = r != null && r == 1L;
      if (used && acked < replicas) {
        StateNotReplicatedException e = notReplicated(Concern.GRANTS, acked);
        if (onUnavailable(Concern.GRANTS) == OnUnavailable.REFUSE) {
          // the use stays counted on the master although nothing is served
          throw e;
        }
        return true;
      }
      answered();
      return used;
    }

    @Override
    public long used(String grantKey) {
      ops[Concern.GRANTS.ordinal()].incrementAndGet();
      String v = redis.get(prefix + "grant:" + grantKey);
      return v == null ? 0 : Long.parseLong(v);
    }
  }

  private boolean tryAcquire(String key, long max, Duration per, Instant now) {
    Long r;
    try {
      r = script(Concern.RATES, RATE_SCRIPT, rateSha, prefix + "rate:" + key, Long.toString(max),
          Long.toString(Math.max(1, per.toMillis())), Long.toString(now.toEpochMilli()));
    } catch (RuntimeException e) {
      if (unavailable(Concern.RATES, e) == OnUnavailable.REFUSE) {
        throw new IllegalStateException("the shared rate-limit state in Redis does not answer ("
            + e.getClass().getSimpleName() + ")", e);
      }
      return localRates.tryAcquire(key, max, per, now);
    }
    return r != null && r == 1L;
  }

  /** Runs a script by its digest, sending its text once if Redis does not know it yet. */
  private @Nullable Long script(Concern c, String body, String sha, String key, String... args) {
    String[] keys = {key};
    ops[c.ordinal()].incrementAndGet();
    Long r;
    try {
      r = redis.evalsha(sha, ScriptOutputType.INTEGER, keys, args);
    } catch (RedisNoScriptException e) {
      r = redis.eval(body, ScriptOutputType.INTEGER, keys, args);
    }
    answered();
    return r;
  }

  /** The answer of a write and how many replicas acknowledged it in time. */
  private record Written<T>(@Nullable T answer, long acks) {}

  /**
   * Sends a write and {@code WAIT replicas waitTimeout} right after it on the same connection (the
   * key's master's in a Cluster), pipelined; returns the write's answer and the replicas that
   * acknowledged it (and every earlier write of the connection).
   */
  private <T> Written<T> written(String key,
      Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> write) {
    try {
      return writtenOnce(key, write);
    } catch (RedisCommandExecutionException e) {
      if (!movedInCluster(e)) {
        throw e;
      }
      // the slot moved to another master (resharding): a MOVED write was not executed, so after
      // reloading the slot map it is sent once more, to the master the map names now
      refreshSlotMap();
      return writtenOnce(key, write);
    }
  }

  /** True if {@code e} is a Cluster node's {@code MOVED} answer (the key's slot is served elsewhere). */
  private boolean movedInCluster(RedisCommandExecutionException e) {
    String m = e.getMessage();
    return client instanceof RedisClusterClient && m != null && m.startsWith("MOVED ");
  }

  /**
   * Reloads the Cluster's slot map at most once per {@link #RECHECK_INTERVAL}. The key's write and
   * its {@code WAIT} go on the connection to the slot's master, which does not follow a redirection
   * (the Cluster connection would, and would trigger Lettuce's adaptive refresh); without this a
   * resharded slot stayed refused until the periodic refresh (30 s).
   */
  private void refreshSlotMap() {
    long now = System.nanoTime();
    long last = lastSlotMapRefreshNanos.get();
    if (now - last >= RECHECK_INTERVAL.toNanos() && lastSlotMapRefreshNanos.compareAndSet(last, now)) {
      ((RedisClusterClient) client).refreshPartitions();
    }
  }

  private <T> Written<T> writtenOnce(String key,
      Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> write) {
    RedisClusterAsyncCommands<String, String> a = writer.apply(key);
    RedisFuture<T> w = write.apply(a);
    RedisFuture<Long> acks = a.waitForReplication(replicas, waitMillis);
    T answer;
    try {
      answer = LettuceFutures.awaitOrCancel(w, timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      acks.cancel(false);
      throw e;
    }
    Long n = LettuceFutures.awaitOrCancel(acks, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return new Written<>(answer, n == null ? 0 : n);
  }

  /** {@link #written} for a script, sending its text if Redis does not know it yet. */
  private Written<Long> scriptWritten(String body, String sha, String key, String... args) {
    String[] keys = {key};
    try {
      return written(key, a -> a.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args));
    } catch (RedisNoScriptException e) {
      return written(key, a -> a.<Long>eval(body, ScriptOutputType.INTEGER, keys, args));
    }
  }

  /** Counts and logs (at most every 10 s) a write too few replicas acknowledged; returns the exception that says so. */
  private StateNotReplicatedException notReplicated(Concern c, long acked) {
    notReplicated[c.ordinal()].incrementAndGet();
    String m = "only " + acked + " of " + replicas + " replica(s) acknowledged it within " + waitMillis + " ms";
    boolean first = lastFailure == null;
    lastFailure = "the shared state in Redis " + address + " is not replicated: " + m;
    long now = System.nanoTime();
    if (first || now - lastWarnNanos > TimeUnit.SECONDS.toNanos(10)) {
      lastWarnNanos = now;
      LOG.atWarn().addKeyValue("event", "state_not_replicated").addKeyValue("store", "redis")
          .addKeyValue("concern", c.label()).addKeyValue("action", onUnavailable(c).wireName())
          .addKeyValue("acknowledged", acked).addKeyValue("required", replicas)
          .log("a {} write to Redis {}: {}; {}", c.label(), address, m,
              onUnavailable(c) == OnUnavailable.REFUSE ? "refused" : "served on the master's answer alone");
    }
    return new StateNotReplicatedException(m, (int) acked, replicas);
  }

  private void answered() {
    if (lastFailure != null) {
      lastFailure = null;
      LOG.atInfo().addKeyValue("event", "state_available").addKeyValue("store", "redis").log(
          "the shared state in Redis {} answers again", address);
    }
  }

  /** Counts and logs (at most every 10 s) a command that failed; returns what the concern does now. */
  private OnUnavailable unavailable(Concern c, RuntimeException e) {
    OnUnavailable action = onUnavailable(c);
    unavailableCount[c.ordinal()][action == OnUnavailable.REFUSE ? 0 : 1].incrementAndGet();
    boolean first = lastFailure == null;
    lastFailure = "the shared state in Redis " + address + " does not answer: " + e.getClass().getSimpleName();
    long now = System.nanoTime();
    if (first || now - lastWarnNanos > TimeUnit.SECONDS.toNanos(10)) {
      lastWarnNanos = now;
      LOG.atWarn().addKeyValue("event", "state_unavailable").addKeyValue("store", "redis")
          .addKeyValue("concern", c.label()).addKeyValue("action", action.wireName())
          .addKeyValue("error", e.getClass().getSimpleName())
          .log("the shared state in Redis {} does not answer ({}); {} {}", address, e.getClass().getSimpleName(),
              c.label(), action == OnUnavailable.REFUSE ? "refused" : "decided by this process alone");
    }
    return action;
  }

  /**
   * Runs every command the three concerns send — {@code SET NX PX}, {@code GET}, both scripts by
   * {@code EVALSHA} and {@code EVAL} — once on short-lived keys of this prefix, so that an ACL user
   * missing one of them (or the key pattern) is found at start, not by the first exchange.
   */
  private void probe() {
    String key = prefix + "probe:" + UUID.randomUUID();
    redis.set(key, "1", SetArgs.Builder.nx().px(2_000));
    redis.get(key);
    String[][] scripts = {{GRANT_SCRIPT, grantSha, "1", "2000", ""}, {RATE_SCRIPT, rateSha, "1", "2000",
        Long.toString(clock.millis())}};
    for (int i = 0; i < scripts.length; i++) {
      String[] sc = scripts[i];
      String[] keys = {key + ":" + i};
      String[] args = sc[4].isEmpty() ? new String[] {sc[2], sc[3]} : new String[] {sc[2], sc[3], sc[4]};
      try {
        redis.evalsha(sc[1], ScriptOutputType.INTEGER, keys, args);
      } catch (RedisNoScriptException e) {
        redis.eval(sc[0], ScriptOutputType.INTEGER, keys, args);
      }
      // EVAL too: the first use of a script on a Redis that does not know it yet sends its text
      redis.eval(sc[0], ScriptOutputType.INTEGER, keys, args);
    }
    if (replicas > 0) {
      redis.waitForReplication(0, 1); // WAIT, which each replay id and grant use is followed by
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  /** Configures and opens a {@link RedisState}. */
  public static final class Builder {
    private final String address;
    private @Nullable String user;
    private char @Nullable [] password;
    private @Nullable Path caFile;
    private Duration timeout = Duration.ofMillis(500);
    private int replicas;
    private @Nullable Duration waitTimeout;
    private String keyPrefix = "shulian:";
    private Clock clock = Clock.systemUTC();
    private long maxLocalReplayEntries = StateStore.DEFAULT_MAX_REPLAY_ENTRIES;
    private final EnumMap<Concern, OnUnavailable> onUnavailable = new EnumMap<>(Map.of(
        Concern.REPLAY, OnUnavailable.REFUSE, Concern.GRANTS, OnUnavailable.REFUSE, Concern.RATES,
        OnUnavailable.ALLOW_LOCAL));

    private Builder(String address) {
      this.address = Objects.requireNonNull(address, "address").trim();
    }

    /** The ACL user (default: none, or {@code default} with a password). */
    public Builder user(String user) {
      this.user = Objects.requireNonNull(user);
      return this;
    }

    /** The password of the ACL user (read from an environment variable or a file, never the YAML). */
    public Builder password(char[] password) {
      this.password = password.clone();
      return this;
    }

    /** PEM file of the CA that signed the Redis server certificate ({@code rediss://}); default: the JVM's. */
    public Builder caFile(Path caFile) {
      this.caFile = Objects.requireNonNull(caFile);
      return this;
    }

    /** How long a command may take before the concern counts Redis as unavailable (default 500 ms, at most 10 s). */
    public Builder timeout(Duration d) {
      if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("timeout must be in (0, 10s], got " + d);
      }
      this.timeout = d;
      return this;
    }

    /**
     * How many Redis replicas must acknowledge each replay id and grant use ({@code WAIT}) before
     * the exchange is served (default 0: the master's answer suffices, replication is asynchronous).
     */
    public Builder replicas(int n) {
      if (n < 0 || n > 16) {
        throw new IllegalArgumentException("replicas must be in 0..16, got " + n);
      }
      this.replicas = n;
      return this;
    }

    /**
     * How long the {@code WAIT} after a write may take (default: half the {@link #timeout});
     * shorter than the timeout, at least 1 ms.
     */
    public Builder waitTimeout(Duration d) {
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException("waitTimeout must be at least 1ms, got " + d);
      }
      this.waitTimeout = d;
      return this;
    }

    Duration waitTimeout() {
      Duration w = waitTimeout;
      return w != null ? w : timeout.dividedBy(2).toMillis() < 1 ? Duration.ofMillis(1) : timeout.dividedBy(2);
    }

    /** Prefix of every key (default {@code shulian:}); replicas of one department must share it. */
    public Builder keyPrefix(String prefix) {
      if (prefix.isEmpty() || prefix.length() > 100 || !prefix.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
        throw new IllegalArgumentException("keyPrefix must be 1-100 printable ASCII characters without spaces");
      }
      this.keyPrefix = prefix;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** What {@code concern} does while Redis does not answer. */
    public Builder onUnavailable(Concern concern, OnUnavailable action) {
      onUnavailable.put(concern, Objects.requireNonNull(action));
      return this;
    }

    /** Bound of the in-memory replay cache used by {@code allow-local} for replay while Redis is down. */
    public Builder maxLocalReplayEntries(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxLocalReplayEntries must be positive, got " + n);
      }
      this.maxLocalReplayEntries = n;
      return this;
    }

    /**
     * Parses the address and connects. Forms: {@code redis://host:port[/db]}, {@code
     * rediss://host:port[/db]} (TLS), {@code redis-sentinel://host:port[,host:port]/db#master}
     * (Sentinel), or several {@code redis://} / {@code rediss://} addresses separated by commas
     * (Cluster seeds). No user or password in the address: {@link #user} and {@link #password}.
     *
     * @throws StateException UNAVAILABLE if the address is malformed or Redis cannot be reached
     */
    public RedisState open() throws StateException {
      List<RedisURI> uris = uris(address);
      if (waitTimeout().compareTo(timeout) >= 0) {
        throw bad("redisWaitTimeout (" + waitTimeout().toMillis() + " ms) must be shorter than redisTimeout ("
            + timeout.toMillis() + " ms)");
      }
      boolean cluster = uris.size() > 1;
      String u0 = user;
      char[] p0 = password;
      for (RedisURI u : uris) {
        if (u0 != null || p0 != null) {
          // the password stays in this builder's copy; the client reads it on each (re)connect
          u.setCredentialsProvider(RedisCredentialsProvider.from(() -> RedisCredentials.just(u0, p0 == null ? null : p0.clone())));
        }
        // the handshake (HELLO/AUTH) may take longer than a command on a busy machine
        u.setTimeout(connectTimeout());
      }
      SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
      if (caFile != null) {
        ssl.trustManager(caFile.toFile());
      }
      SocketOptions socket = SocketOptions.builder().connectTimeout(connectTimeout()).keepAlive(true).build();
      TimeoutOptions timeouts = TimeoutOptions.builder().fixedTimeout(timeout).build();
      // reconnect quickly: while Redis is away, replay and grants are refused (or decided locally)
      ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
          .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
          .build();
      AbstractRedisClient client = null;
      try {
        StatefulConnection<String, String> conn;
        RedisClusterCommands<String, String> commands;
        if (!cluster && uris.get(0).getSentinels().isEmpty()) {
          // one address may be one node of a cluster: then it is a seed, as a list would be (a
          // plain connection to it would get MOVED for every key of the other nodes' slots)
          RedisClient c = RedisClient.create(resources);
          client = c;
          c.setOptions(ClientOptions.builder().autoReconnect(false).socketOptions(socket).timeoutOptions(timeouts)
              .sslOptions(ssl.build()).build());
          try (var probe = c.connect(uris.get(0))) {
            cluster = "cluster".equals(mode(probe.sync()));
          }
          c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
          client = null;
        }
        if (cluster) {
          RedisClusterClient c = RedisClusterClient.create(resources, uris);
          client = c;
          // a MOVED answer or a node that keeps reconnecting (a failover in the cluster) reloads the slot map
          c.setOptions(ClusterClientOptions.builder().autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).socketOptions(socket)
              .timeoutOptions(timeouts).sslOptions(ssl.build())
              // after a master is lost its replica is promoted (cluster-node-timeout + election): the
              // reconnect attempts to the lost master trigger a refresh at most every second until
              // the map names the new master, and a periodic refresh catches what no trigger saw
              .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers()
                  .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1)).enablePeriodicRefresh(Duration.ofSeconds(30))
                  .build())
              .build());
          var cc = c.connect();
          // the connection to each master opens on its first command, and a command for a node not
          // connected yet is rejected (as while it is down): open them all now
          for (RedisClusterNode n : c.getPartitions()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
              cc.getConnection(n.getUri().getHost(), n.getUri().getPort());
            }
          }
          conn = cc;
          commands = cc.sync();
        } else {
          RedisClient c = RedisClient.create(resources);
          client = c;
          c.setOptions(ClientOptions.builder().autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).socketOptions(socket)
              .timeoutOptions(timeouts).sslOptions(ssl.build()).build());
          var sc = c.connect(uris.get(0));
          conn = sc;
          commands = sc.sync();
        }
        commands.ping();
        RedisState s = new RedisState(this, resources, client, conn, commands);
        try {
          s.probe();
        } catch (RedisCommandExecutionException e) {
          s.close();
          String m = String.valueOf(e.getMessage());
          if (m.startsWith("NOPERM") || m.startsWith("NOAUTH")) {
            throw new StateException(StateException.Reason.NOT_PERMITTED, "state.redis: " + address + " refuses a "
                + "command the gateway needs (STATE_NOT_PERMITTED): " + shown(m) + "; the ACL user needs the "
                + "commands and key pattern of docs/scale-out.md", e);
          }
          throw new StateException(StateException.Reason.UNAVAILABLE, "state.redis: " + address + " refuses the "
              + "gateway's commands: " + shown(m), e);
        }
        LOG.atInfo().addKeyValue("event", "state_connected").addKeyValue("store", "redis")
            .addKeyValue("mode", cluster ? "cluster" : uris.get(0).getSentinels().isEmpty() ? "standalone" : "sentinel")
            .addKeyValue("replicas", replicas)
            .log("shared state in Redis {} (replay: {}, grants: {}, rates: {} when it does not answer)", address,
                s.onUnavailable(Concern.REPLAY).wireName(), s.onUnavailable(Concern.GRANTS).wireName(),
                s.onUnavailable(Concern.RATES).wireName());
        return s;
      } catch (RuntimeException e) {
        if (client != null) {
          client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        throw new StateException(StateException.Reason.UNAVAILABLE, "state.redis: cannot connect to " + address
            + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
      }
    }

    /**
     * The server's mode as its {@code HELLO} answers ({@code standalone}, {@code cluster}, {@code
     * sentinel}); {@code standalone} for a server without {@code HELLO} (before Redis 6).
     */
    private static String mode(RedisClusterCommands<String, String> redis) {
      try {
        Map<String, Object> hello = redis.dispatch(CommandType.HELLO, new GenericMapOutput<>(StringCodec.UTF8),
            new CommandArgs<>(StringCodec.UTF8).add(3));
        return String.valueOf(hello == null ? "standalone" : hello.getOrDefault("mode", "standalone"));
      } catch (RedisCommandExecutionException e) {
        return "standalone";
      }
    }

    private Duration connectTimeout() {
      Duration d = timeout.multipliedBy(4);
      return d.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : d;
    }

    /**
     * Checks the address without connecting (as {@link #open} would parse it).
     *
     * @throws StateException UNAVAILABLE naming what is wrong with it
     */
    public Builder checkAddress() throws StateException {
      uris(address);
      return this;
    }

    /** The addresses in {@code s}, checked: known scheme, a host, no user information. */
    static List<RedisURI> uris(String s) throws StateException {
      if (s.startsWith("redis-sentinel://")) {
        return List.of(uri(s));
      }
      List<RedisURI> out = new ArrayList<>();
      for (String part : s.split(",", -1)) {
        RedisURI u = uri(part.trim());
        if (!u.getSentinels().isEmpty()) {
          throw bad("a Sentinel address stands alone");
        }
        out.add(u);
      }
      return out;
    }

    private static RedisURI uri(String s) throws StateException {
      if (!s.startsWith("redis://") && !s.startsWith("rediss://") && !s.startsWith("redis-sentinel://")) {
        throw bad("'" + shown(s) + "' is not a redis://, rediss:// or redis-sentinel:// address");
      }
      if (s.substring(s.indexOf("//") + 2).contains("@")) {
        throw bad("no user or password in the address: give state.redisUser and state.redisPasswordEnv or redisPasswordFile");
      }
      try {
        URI.create(s.replace(",", "%2C")); // well-formed at all
        RedisURI u = RedisURI.create(s);
        if (u.getSentinels().isEmpty() && (u.getHost() == null || u.getHost().isEmpty())) {
          throw bad("'" + shown(s) + "' names no host");
        }
        return u;
      } catch (IllegalArgumentException e) {
        throw bad("'" + shown(s) + "' is not a valid Redis address: " + e.getMessage());
      }
    }

    private static String shown(String s) {
      return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static StateException bad(String m) {
      return new StateException(StateException.Reason.UNAVAILABLE, "state.redis: " + m);
    }
  }
}
