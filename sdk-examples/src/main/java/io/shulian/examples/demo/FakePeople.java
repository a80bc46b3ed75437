package io.shulian.examples.demo;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates made-up residents: names from common characters, resident ID numbers that are valid in
 * format only (GB 11643: division code, birth date, sequence, check character) and 138xxxxxxxx
 * phone numbers. Seeded, so every run produces the same people; none of them is a real person.
 */
public final class FakePeople {
  private static final String[] SURNAMES = {"陈", "李", "黄", "张", "梁", "林", "何", "罗", "吴", "郑", "谢", "冯"};
  private static final String[] GIVEN = {"子轩", "雨涵", "浩然", "诗琪", "俊杰", "嘉怡", "志强", "晓彤", "国华",
      "丽娟", "家豪", "婉清", "建军", "秀英", "明辉"};
  private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  private static final String CHECK = "10X98765432";
  private static final String[] STREETS = {"人民路", "汾江中路", "祖庙路", "季华五路", "岭南大道", "绿景一路"};

  /** One fake resident. */
  public record Person(String name, String idNumber, String phone, String address) {}

  private final Random random;

  public FakePeople(long seed) {
    this.random = new Random(seed);
  }

  /** Returns {@code n} residents registered in the given 6-digit division (e.g. 440604). */
  public List<Person> residents(String division, String districtAddress, int n) {
    List<Person> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String given = GIVEN[random.nextInt(GIVEN.length)];
      String name = SURNAMES[random.nextInt(SURNAMES.length)] + given;
      LocalDate birth = LocalDate.of(1950, 1, 1).plusDays(random.nextInt(365 * 50));
      String id = idNumber(division, birth, 1 + random.nextInt(998));
      String phone = "138" + String.format("%08d", random.nextInt(100_000_000));
      String address = districtAddress + STREETS[random.nextInt(STREETS.length)] + (1 + random.nextInt(300)) + "号";
      out.add(new Person(name, id, phone, address));
    }
    return out;
  }

  /** Returns a made-up bank card number (19 digits, 6222 prefix); not a real account. */
  public String bankCard() {
    StringBuilder sb = new StringBuilder("6222");
    for (int i = 0; i < 15; i++) {
      sb.append(random.nextInt(10));
    }
    return sb.toString();
  }

  /** Returns a number in [min, max) rounded to cents. */
  public double amount(int min, int max) {
    return Math.round((min + random.nextDouble() * (max - min)) * 100) / 100.0;
  }

  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** Builds an 18-character resident ID number with the GB 11643 check character. */
  public static String idNumber(String division, LocalDate birth, int sequence) {
    String first17 = division + birth.format(DateTimeFormatter.BASIC_ISO_DATE) + String.format("%03d", sequence);
    return first17 + checkCharacter(first17);
  }

  /** The GB 11643 check character of the first 17 digits. */
  public static char checkCharacter(String first17) {
    if (!first17.matches("\\d{17}")) {
      throw new IllegalArgumentException("need 17 digits");
    }
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += (first17.charAt(i) - '0') * WEIGHTS[i];
    }
    return CHECK.charAt(sum % 11);
  }
}
