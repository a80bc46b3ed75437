package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.hub.events.Collector;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector refuses every body that is not one batch object with a typed
 * problem (never a crash): what is not JSON, not an object, a member twice,
 * an unknown member, values of the wrong type, bad base64, too many records.
 */
class CollectorMalformedBatchTest {
  private static final String HEAD = "{\"logId\":\"0123456789abcdef0123456789abcdef\",\"hash\":\"SHA-256\",\"firstSeq\":0,";
  @TempDir Path dir;

  @Test
  void malformedBodies_refusedWithTypedProblems() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    try (HubStore db = HubStore.open(HubStore.h2Url(dir.resolve("db")), null, null, 2)) {
      Collector c = CollectorTest.collector(city, db);
      String[][] cases = {
        {"not json", "not JSON"},
        {"", "the body is not"},
        {"[1]", "not a JSON object"},
        {HEAD + "\"records\":[\"AAAA\"", "not JSON"},
        {HEAD + "\"records\":[],\"logId\":\"0123456789abcdef0123456789abcdef\"}", "not JSON"},
        {HEAD + "\"records\":[],\"extra\":{\"a\":[1,2]}}", "unknown member 'extra'"},
        {HEAD + "\"records\":{}}", "records must be an array"},
        {HEAD + "\"records\":[1]}", "records must be base64 strings"},
        {HEAD + "\"records\":[\"AAAA\",\"@@@@\"]}", "record 1 is not base64"},
        {HEAD + "\"records\":[],\"chainHead\":\"%%\"}", "chainHead is not base64"},
        {HEAD + "\"records\":[],\"chainHead\":7}", "chainHead must be a string"},
        {HEAD + "\"records\":[],\"checkpoints\":null}", "checkpoints must be an array"},
        {HEAD + "\"records\":[],\"checkpoints\":[\"{}\"]}", "a checkpoint does not parse"},
        {HEAD + "\"records\":[],\"certificates\":\"not pem\"}", "certificates do not parse"},
        {"{\"logId\":\"0123456789abcdef0123456789abcdef\",\"hash\":\"SHA-256\",\"records\":[]}", "firstSeq must be"},
        {"{\"logId\":\"0123456789abcdef0123456789abcdef\",\"hash\":\"SHA-256\",\"firstSeq\":-1,\"records\":[]}", "firstSeq must be"},
        {"{\"logId\":\"0123456789abcdef0123456789abcdef\",\"hash\":\"SHA-256\",\"firstSeq\":1.5,\"records\":[]}", "firstSeq must be"},
        {"{\"logId\":\"0123456789abcdef0123456789abcdef\",\"hash\":\"SHA-256\",\"firstSeq\":100000000000000000000000,"
            + "\"records\":[]}", "firstSeq must be"},
        {"{\"logId\":\"0123456789ABCDEF0123456789abcdef\",\"hash\":\"SHA-256\",\"firstSeq\":0,\"records\":[]}", "logId must be 32"},
        {"{\"logId\":5,\"hash\":\"SHA-256\",\"firstSeq\":0,\"records\":[]}", "logId must be a string"},
        {"{\"logId\":\"0123456789abcdef0123456789abcdef\",\"hash\":\"MD5\",\"firstSeq\":0,\"records\":[]}", "hash must be SHA-256 or SM3"},
        {HEAD + "\"chainHead\":null}", "records must be an array"},
      };
      for (String[] x : cases) {
        Collector.Result r = c.ingest(city.housing.party(), x[0].getBytes(StandardCharsets.UTF_8));
        assertThat(r.accepted()).as(x[0]).isFalse();
        assertThat(r.status()).as(x[0]).isIn(400, 422);
        assertThat(r.detail()).as(x[0]).contains(x[1]);
      }
      StringBuilder many = new StringBuilder(HEAD + "\"records\":[");
      for (int i = 0; i <= Collector.MAX_RECORDS; i++) {
        many.append(i == 0 ? "" : ",").append("\"AAAA\"");
      }
      Collector.Result r = c.ingest(city.housing.party(), many.append("]}").toString().getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.code()).isEqualTo("BATCH_TOO_LARGE");
    }
  }
}
