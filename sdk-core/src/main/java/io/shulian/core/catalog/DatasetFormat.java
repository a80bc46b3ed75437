package io.shulian.core.catalog;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The record format of a resource delivered as a data set ({@code "delivery": "dataset"}): the
 * provider gateway streams it record by record, masking each record on the way.
 */
public enum DatasetFormat {
  /** JSON Lines: one JSON object per line, lines ended by LF (a CR before it is tolerated). */
  JSONL("jsonl", "application/jsonl"),
  /** CSV (RFC 4180): a header row naming the fields, then one record per row; quoted fields may span lines. */
  CSV("csv", "text/csv");

  private final String wireName;
  private final String mediaType;

  DatasetFormat(String wireName, String mediaType) {
    this.wireName = wireName;
    this.mediaType = mediaType;
  }

  /** The name in the catalog ({@code jsonl}, {@code csv}). */
  public String wireName() {
    return wireName;
  }

  /** The media type the data set is released with ({@code application/jsonl}, {@code text/csv}). */
  public String mediaType() {
    return mediaType;
  }

  /** Returns the format of a catalog name, or null if there is none of that name. */
  public static @Nullable DatasetFormat fromWireName(String name) {
    for (DatasetFormat f : values()) {
      if (f.wireName.equals(name.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    return null;
  }
}
