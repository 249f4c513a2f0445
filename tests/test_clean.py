"""Cell cleaning (`ingest.clean`) on the spellings the real files carry.

Every input below is copied from a real file in ../shared/data (file and line named in the comment)
unless it is labelled synthetic; the expected values were read off the raw cells by hand.
"""

from __future__ import annotations

import math

import pytest

from ingest import clean
from ingest.clean import BadValue

# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw, dayfirst, expected",
    [
        # umn__Contracts_PrimeAwardSummaries...csv line 2: award_base_action_date (pristine ISO)
        ("2020-05-07", False, "2020-05-07"),
        # umn__...csv line 2: period_of_performance_potential_end_date carries a time
        ("2021-05-11 00:00:00", False, "2021-05-11"),
        # mn_all__Contracts_PrimeAwardSummaries...csv line 2: award_base_action_date, spreadsheet M/D/YY
        ("12/22/17", False, "2017-12-22"),
        # mn_all__...csv line 2: period_of_performance_potential_end_date 'M/D/YY H:MM'
        ("5/31/21 0:00", False, "2021-05-31"),
        # mn_all__...csv line 177: award_base_action_date
        ("1/21/05", False, "2005-01-21"),
        # torn_apart fy14.csv line 1: action_date, DD/MM/YYYY
        ("27/03/2014", True, "2014-03-27"),
        # torn_apart fy14.csv line 1: period_of_performance_start_date 'dd/mm/yy HH:MM'
        ("01/05/14 00:00", True, "2014-05-01"),
        # torn_apart fy13.csv line 2: last_modified_date
        ("27/03/18 23:04", True, "2018-03-27"),
        # torn_apart fy13.csv: NAN strings stand for missing cells
        ("NAN", True, None),
        ("", False, None),
    ],
)
def test_date_spellings(raw, dayfirst, expected):
    assert clean.date(raw, dayfirst) == expected


def test_ambiguous_date_follows_dayfirst():
    # torn_apart fy14.csv line 1 start date '01/05/14': 1 May when day-first, 5 January when month-first
    assert clean.date("01/05/14 00:00", True) == "2014-05-01"
    assert clean.date("01/05/14 00:00", False) == "2014-01-05"


@pytest.mark.parametrize(
    "raw, dayfirst",
    [
        ("not a date", False),  # synthetic
        ("2021/05/11", False),  # synthetic: neither ISO nor slashed M/D/Y
        ("27/03/2014", False),  # torn_apart fy14.csv line 1 read month-first: month 27
        ("12/22/17", True),  # mn_all line 2 read day-first: month 22
        ("2014-13-01", False),  # synthetic: month 13
    ],
)
def test_unreadable_date_is_bad_value(raw, dayfirst):
    with pytest.raises(BadValue):
        clean.date(raw, dayfirst)


@pytest.mark.parametrize(
    "raw, dayfirst",
    [
        ("2/30/17", False),  # synthetic: 30 February
        ("2014-02-30", False),  # synthetic: 30 February, ISO
        ("31/04/2014", True),  # synthetic: 31 April, day-first
        ("29/02/2017", True),  # synthetic: 29 February in a non-leap year
    ],
)
def test_impossible_calendar_date_is_bad_value(raw, dayfirst):
    """A date that does not exist is unreadable, not a value to store."""
    with pytest.raises(BadValue):
        clean.date(raw, dayfirst)


def test_leap_day_is_a_real_date():
    # torn_apart fy13.csv line 3: period_of_performance_potential_end_date '29/02/16 00:00' (2016 is a leap year)
    assert clean.date("29/02/16 00:00", True) == "2016-02-29"


def test_guess_dayfirst():
    # torn_apart fy13.csv lines 2-3 action_date: '25/07/2013', '20/09/2013' -> first part > 12
    assert clean.guess_dayfirst(["25/07/2013", "20/09/2013", "01/05/14 00:00"]) is True
    # mn_all line 2 '12/22/17' -> second part > 12
    assert clean.guess_dayfirst(["12/22/17", "5/31/21 0:00", "1/21/05"]) is False
    # every part <= 12: cannot tell
    assert clean.guess_dayfirst(["01/05/14 00:00", "12/03/2013"]) is None
    # ISO and blanks are ignored
    assert clean.guess_dayfirst(["2020-05-07", "", None]) is None
    assert clean.guess_dayfirst([]) is None


def test_guess_dayfirst_mixed_conventions_is_bad_value():
    # torn_apart fy13 line 2 (day-first) mixed with mn_all line 2 (month-first)
    with pytest.raises(BadValue):
        clean.guess_dayfirst(["25/07/2013", "12/22/17"])


# --------------------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("7391976", 7391976.0),  # mn_all line 2 total_obligated_amount (lost its '.00')
        ("16000.00", 16000.0),  # umn line 2 total_obligated_amount
        ("985034.88", 985034.88),  # mn_all line 4
        ("-54495", -54495.0),  # mn_all line 23 (negative total)
        ("-2.32", -2.32),  # torn_apart fy13.csv line 10 federal_action_obligation (de-obligation)
        ("110367609.0", 110367609.0),  # CBP_ICE_FY2021 line 2 Federal Action Obligation
        ("-1,234.50", -1234.5),  # synthetic: thousands separator
        ("$1,234.50", 1234.5),  # synthetic
        ("(12.00)", -12.0),  # synthetic: accounting negative
        ("(1,234.50)", -1234.5),  # synthetic
        ("NAN", None),  # torn_apart files spell missing cells NAN
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_amounts(raw, expected):
    assert clean.amount(raw) == expected


@pytest.mark.parametrize("raw", ["12,3a4", "--5", "abc", "1.2.3"])
def test_unreadable_amount_is_bad_value(raw):
    with pytest.raises(BadValue):
        clean.amount(raw)


@pytest.mark.parametrize("raw", ["Nan", "inf", "-Infinity"])
def test_amount_is_never_nan_or_infinite(raw):
    """A figure that would poison every total is either missing (None) or rejected, never NaN/inf."""
    try:
        value = clean.amount(raw)
    except BadValue:
        return
    assert value is None or math.isfinite(value), f"amount({raw!r}) returned {value!r}"


# ----------------------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("52089695", "052089695"),  # torn_apart fy14.csv line 1 recipient_parent_duns (8 digits)
        ("1325463", "001325463"),  # torn_apart fy18.csv line 825 recipient_parent_duns (7 digits)
        ("94160959", "094160959"),  # torn_apart fy18.csv line 312 recipient_duns (B.I. INCORPORATED)
        ("148508286", "148508286"),  # mn_all line 177 recipient_duns (9 digits, untouched)
        ("006254833", "006254833"),  # mn_all line 7 recipient_duns (zeros intact)
        ("52089695.0", "052089695"),  # synthetic: spreadsheet float
        ("NAN", None),
        ("", None),
        ("000000000", None),  # synthetic: all zeros is no DUNS
    ],
)
def test_duns(raw, expected):
    assert clean.duns(raw) == expected


@pytest.mark.parametrize("raw", ["1234567890", "ABC123", "12345678X"])
def test_bad_duns_is_bad_value(raw):
    with pytest.raises(BadValue):
        clean.duns(raw)


def test_uei():
    # umn line 2 recipient_uei; mn_all line 2 recipient_uei
    assert clean.uei("KABJZBBJ4B54") == "KABJZBBJ4B54"
    assert clean.uei("l997db4pejl8") == "L997DB4PEJL8"
    assert clean.uei("") is None
    with pytest.raises(BadValue):
        clean.uei("KABJZBBJ4B5")  # 11 characters


def test_agency_codes():
    # torn_apart fy13.csv awarding_agency_code is '70' on every row; the CGAC code is '070'
    assert clean.toptier_code("70") == "070"
    assert clean.toptier_code("70.0") == "070"
    assert clean.toptier_code("070") == "070"  # umn line 2
    assert clean.toptier_code("NAN") is None
    assert clean.subtier_code("7012") == "7012"  # every file's awarding_sub_agency_code
    assert clean.subtier_code("7012.0") == "7012"
    assert clean.code("70cdcr") == "70CDCR"  # umn line 2 awarding_office_code, lower-cased (synthetic)


# --------------------------------------------------------------------------------------------- names


def test_name_key_geo_group_spellings_are_equal():
    spellings = [
        "GEO GROUP INC., THE",  # torn_apart recipient_name (21 rows)
        "GEO GROUP, INC., THE",  # torn_apart recipient_name (14 rows)
        "THE GEO GROUP INC",  # torn_apart recipient_parent_name
        "THE GEO GROUP INCORPORATED",  # torn_apart recipient_name
        "GEO GROUP  INC.  THE",  # torn_apart recipient_parent_name (double spaces)
        "THE GEO GROUP, INC.",  # CBP_ICE_FY20xx Recipient Name
        "The GEO Group, Inc.",  # data/vendor_families.csv canonical
    ]
    assert {clean.name_key(name) for name in spellings} == {"GEO GROUP"}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CORRECTIONS CORPORATION OF AMERICA", "CORRECTIONS OF AMERICA"),  # torn_apart recipient_name
        ("PALANTIR USG, INC.", "PALANTIR USG"),  # torn_apart fy17.csv line 104
        ("PALANTIR TECHNOLOGIES INCORPORATED", "PALANTIR TECHNOLOGIES"),  # torn_apart fy13.csv line 8
        ("AMAZON.COM INC.", "AMAZON COM"),  # torn_apart recipient_parent_name
        ("B.I. INCORPORATED", "BI"),  # torn_apart fy18.csv line 312
        ("DELOITTE & TOUCHE LLP", "DELOITTE & TOUCHE"),  # vendor_decorations.csv line 586 origName
        ("THOMSON REUTERS (MARKETS) LLC", "THOMSON REUTERS MARKETS"),  # mn_all line 2 recipient_parent_name
        ("THE", "THE"),  # only suffix words: keep them rather than return nothing
    ],
)
def test_name_key(raw, expected):
    assert clean.name_key(raw) == expected


def test_name_key_empty():
    assert clean.name_key(None) is None
    assert clean.name_key("") is None
    assert clean.name_key("  ,  ") is None


def test_name_key_dotted_llc_equals_llc():
    """'L.L.C.' is the same suffix as 'LLC' (the suffix table lists 'L L C' for it).

    Real pair: torn_apart fy14.csv line 152 recipient_name 'CREATIVE CORRECTIONS, L.L.C.' (DUNS 143530926)
    and CBP_ICE_FY2021_Contract_Obligations.csv line 5201 'CREATIVE CORRECTIONS, LLC' (ICE detention reviews).
    """
    assert clean.name_key("CREATIVE CORRECTIONS, L.L.C.") == clean.name_key("CREATIVE CORRECTIONS, LLC")
    # torn_apart fy18.csv line 675 parent 'WATCH SYSTEMS L.L.C.' vs CBP_ICE_FY2021 line 6316 'WATCH SYSTEMS LLC'
    assert clean.name_key("WATCH SYSTEMS L.L.C.") == clean.name_key("WATCH SYSTEMS LLC") == "WATCH SYSTEMS"


# ------------------------------------------------------------------------------------ fiscal year, keys


@pytest.mark.parametrize(
    "iso, expected",
    [
        ("2017-12-22", 2018),  # October-December belong to the next fiscal year
        ("2017-10-01", 2018),
        ("2017-09-30", 2017),
        ("2026-08-20", 2026),
        (None, None),
        ("", None),
    ],
)
def test_fiscal_year(iso, expected):
    assert clean.fiscal_year(iso) == expected


def test_award_key_shapes():
    # mn_all line 2: contract_award_unique_key CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-
    assert clean.award_key("70CDCR18P00000017", "7012", None, None) == "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"
    # mn_all line 177: CONT_AWD_HSACD5J0057_7012_GS23F0387K_4730
    assert clean.award_key("HSACD5J0057", "7012", "GS23F0387K", "4730") == "CONT_AWD_HSACD5J0057_7012_GS23F0387K_4730"
    # CBP_ICE_FY2021 line 9171 Generated Award ID for torn_apart fy18.csv line 282 (PIID HSCETC15C00001, no parent)
    assert clean.award_key("HSCETC15C00001", "7012", None, None) == "CONT_AWD_HSCETC15C00001_7012_-NONE-_-NONE-"
    # an IDV: torn_apart fy17.csv line 104 (award_or_idv_flag IDV, PALANTIR USG)
    assert clean.award_key("HSCETC14C00002", "7012", None, None, is_idv=True) == "CONT_IDV_HSCETC14C00002_7012"
    # lower-case PIIDs are upper-cased the way USAspending does (synthetic)
    assert clean.award_key("hsacd5j0057", "7012", "gs23f0387k", "4730") == "CONT_AWD_HSACD5J0057_7012_GS23F0387K_4730"
    assert clean.permalink("CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-") == (
        "https://www.usaspending.gov/award/CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-/"
    )
