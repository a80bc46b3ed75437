package io.shulian.examples.demo;

/**
 * The city's sharing catalog and policy set as YAML, in the format of docs/catalog-and-policy.md.
 * The demo writes them into the work directory (where {@code shulian catalog validate} and
 * {@code shulian policy check --bundle <dir>} read them) and into the signed city bundle.
 */
final class CityDocuments {
  private CityDocuments() {}

  /** Resource codes used by the scenarios. */
  static final String PROPERTY = "housing.property-registry";
  static final String PROVIDENT_FUND = "housing.provident-fund.balance";
  static final String PETITIONS = "housing.petition-records";
  static final String PENSION = "province.pension.status";
  /** The provincial pension enrolment extract: a data set (JSON Lines) streamed through the gateways. */
  static final String PENSION_EXTRACT = "province.pension.extract";
  /**
   * Not in the signed catalog: the housing bureau registers it through the hub during the demo
   * ({@link #rentalSubsidy}); its gateway and civil affairs' are configured for it in advance.
   */
  static final String RENTAL_SUBSIDY = "housing.rental-subsidy";

  /** The resource the housing bureau submits to the hub (目录动态更新). */
  static String rentalSubsidy() {
    return """
        code: %1$s
        name: 租赁补贴发放 (rental subsidy payments)
        provider: "%2$s"
        description: The monthly rental subsidy paid to a household, if any.
        updateCycle: monthly
        open: not-open
        sharing: {type: unconditional}
        purposes: [social-assistance-review, housing-subsidy-review]
        fields:
          - {name: monthlyAmount, type: number, classification: general}
        endpoints:
          - {method: GET, path: "/{idNumber}"}
        """.formatted(RENTAL_SUBSIDY, CityParty.HOUSING.id());
  }

  static String catalog() {
    return """
        # Demo city sharing catalog (made-up parties; credit codes pass the GB 32100 check).
        version: "demo-1"
        description: Catalog of the Shulian demo city (440600).
        purposes:
          - {code: social-assistance-review, name: "社会救助审核 (social assistance eligibility review)"}
          - {code: housing-subsidy-review, name: "住房补贴审核 (housing subsidy review)"}
          - {code: business-licensing, name: "企业登记审批 (business licensing)"}
          - {code: grassroots-governance, name: "基层治理 (grassroots governance, return flow to districts and towns)"}
          - {code: statistics, name: "统计分析 (statistics)"}
        resources:
          - code: %1$s
            name: 不动产登记摘要 (property registry summary)
            provider: %5$s
            description: Whether a household owns property in the city, and how much floor area.
            updateCycle: daily
            open: not-open
            sharing: {type: unconditional}
            purposes: [social-assistance-review, housing-subsidy-review, statistics]
            fields:
              - {name: owner.name, type: string, classification: important, personalInfo: name}
              - {name: owner.idNumber, type: string, classification: important, personalInfo: id-number}
              - {name: "members[].name", type: string, classification: important, personalInfo: name}
              - {name: "members[].phone", type: string, classification: important, personalInfo: phone}
              - {name: address, type: string, classification: important, personalInfo: address}
              - {name: floorArea, type: number, classification: general}
            endpoints:
              - {method: GET, path: "/{idNumber}"}
          - code: %2$s
            name: 住房公积金缴存余额 (provident fund balance)
            provider: %5$s
            description: Monthly provident-fund deposits and balance per person.
            updateCycle: monthly
            open: not-open
            sharing:
              type: conditional
              conditions: Approved application naming the applicant; one review per application.
            purposes: [social-assistance-review, housing-subsidy-review]
            fields:
              - {name: applicant.name, type: string, classification: important, personalInfo: name}
              - {name: applicant.idNumber, type: string, classification: important, personalInfo: id-number}
              - {name: applicant.phone, type: string, classification: important, personalInfo: phone}
              - {name: balance, type: number, classification: important}
              - {name: monthlyDeposit, type: number, classification: general}
              - {name: bankCard, type: string, classification: core, personalInfo: bank-card}
            endpoints:
              - {method: GET, path: "/{idNumber}"}
          - code: %3$s
            name: 住房信访记录 (housing petition records)
            provider: %5$s
            description: Letters and visits about housing, with the petitioner's identity.
            updateCycle: real-time
            open: not-open
            sharing:
              type: not-shared
              legalBasis: 《信访工作条例》 petitioners' personal information and petition content are kept confidential.
            purposes: []
            fields:
              - {name: petitioner.name, type: string, classification: important, personalInfo: name}
              - {name: petitioner.idNumber, type: string, classification: core, personalInfo: id-number}
              - {name: complaint, type: string, classification: important}
            endpoints:
              - {method: GET, path: "/{petitionId}"}
          - code: %4$s
            name: 养老保险参保状态 (pension insurance status, provincial system)
            provider: %6$s
            description: Provincial pension enrolment, returned to districts and towns for grassroots work.
            updateCycle: daily
            open: not-open
            sharing:
              type: conditional
              conditions: Return flow to lower levels by the provincial data-sharing agreement; other use by application.
            purposes: [grassroots-governance, social-assistance-review]
            fields:
              - {name: person.name, type: string, classification: important, personalInfo: name}
              - {name: person.idNumber, type: string, classification: important, personalInfo: id-number}
              - {name: person.address, type: string, classification: important, personalInfo: address}
              - {name: enrolled, type: boolean, classification: general}
              - {name: monthlyPension, type: number, classification: important}
            endpoints:
              - {method: GET, path: /status}
          - code: %7$s
            name: 养老保险参保明细 (pension enrolment extract, provincial system, daily data set)
            provider: %6$s
            description: The daily enrolment extract for a division, returned whole to districts and towns.
            updateCycle: daily
            open: not-open
            sharing:
              type: conditional
              conditions: Return flow to lower levels by the provincial data-sharing agreement.
            purposes: [grassroots-governance]
            delivery: dataset
            format: jsonl
            fields:
              - {name: seq, type: number, classification: general}
              - {name: person.name, type: string, classification: important, personalInfo: name}
              - {name: person.idNumber, type: string, classification: important, personalInfo: id-number}
              - {name: person.address, type: string, classification: important, personalInfo: address}
              - {name: enrolled, type: boolean, classification: general}
              - {name: monthlyPension, type: number, classification: important}
            endpoints:
              - {method: GET, path: /extract, action: return-flow}
        """.formatted(PROPERTY, PROVIDENT_FUND, PETITIONS, PENSION, CityParty.HOUSING.id(), CityParty.PROVINCE.id(),
            PENSION_EXTRACT);
  }

  static String policies() {
    return """
        # Explicit rules on top of the rules the catalog implies (docs/catalog-and-policy.md).
        version: "demo-1"
        rules:
          - id: pension-return-flow-in-province
            effect: permit
            subject:
              division: ["44"]
              level: [district, town]
            action: [return-flow]
            resource: [%2$s]
            fields: [person.name, person.idNumber, person.address, enrolled]
            conditions:
              purpose: [grassroots-governance]
              level: upper-to-lower
              rate: {max: 10000, per: 1d}
            obligations:
              mask:
                person.address: address
            basis: 《政务数据共享条例》 数据回流; provincial agreement on pension data return flow.

          - id: pension-extract-return-flow
            effect: permit
            subject:
              division: ["44"]
              level: [district, town]
            action: [return-flow]
            resource: [%4$s]
            fields: [seq, person.name, person.idNumber, person.address, enrolled]
            conditions:
              purpose: [grassroots-governance]
              level: upper-to-lower
            obligations:
              mask:
                person.idNumber: id-number
                person.address: address
            basis: 《政务数据共享条例》 数据回流; the daily extract, masked, without pension amounts.

          - id: no-export-of-provident-fund
            effect: forbid
            subject: "*"
            action: [export]
            resource: [%1$s]
            basis: Bulk export of provident-fund data is not allowed; query per applicant only.

          - id: no-statistics-on-owner-identity
            effect: forbid
            subject: "*"
            action: [query, subscribe]
            resource: [%3$s]
            fields: [owner.idNumber, owner.name]
            conditions:
              purpose: [statistics]
            basis: Statistics need no personal identity (data minimisation).
        """.formatted(PROVIDENT_FUND, PENSION, PROPERTY, PENSION_EXTRACT);
  }
}
