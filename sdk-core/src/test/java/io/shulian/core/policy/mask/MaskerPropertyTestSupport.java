package io.shulian.core.policy.mask;

/** The provident-fund masks without {@code hash} (which is not idempotent), with or without projection. */
final class MaskerPropertyTestSupport {
  private MaskerPropertyTestSupport() {}

  static Masker masker(boolean dropUnlisted) {
    return Masker.builder()
        .field("applicant.name", MaskSpec.of(MaskFunction.NAME))
        .field("applicant.idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("applicant.phone", MaskSpec.of(MaskFunction.DROP))
        .field("members[].phone", MaskSpec.of(MaskFunction.PHONE))
        .field("tags[]", MaskSpec.of(MaskFunction.PARTIAL))
        .field("bankCard", MaskSpec.of(MaskFunction.BANK_CARD))
        .field("address", MaskSpec.of(MaskFunction.ADDRESS))
        .listField("balance")
        .listField("members[].name")
        .dropUnlisted(dropUnlisted)
        .build();
  }
}
