"""The transcript detector: each pattern family, the model-backed names, the contract
(offsets, `[PII]`, order, idempotence) and the recall targets on the demo's labels."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

from bench.redaction_bench import TARGETS, demo_cases, score, supplement_cases
from demo.directory import JA_JP
from redaction import detector, nlp

JA = "ja-JP"


def found(text: str, language: str = JA) -> list[tuple[str, str]]:
    """(type, original text) of every entity, so a failure shows what was taken."""
    return [(e.type, text[e.start : e.end]) for e in detector.redact(text, language).entities]


def types(text: str, language: str = JA) -> set[str]:
    return {kind for kind, _ in found(text, language)}


# ---------------------------------------------------------------------------------------
# Numbers.
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, number",
    [
        ("電話番号は090-1234-5678です。", "090-1234-5678"),
        ("自宅は03-1234-5678です。", "03-1234-5678"),
        ("海外からなので+81 90 1234 5678にお願いします。", "+81 90 1234 5678"),
        ("携帯は０９０ー１２３４ー５６７８です。", "０９０ー１２３４ー５６７８"),
        (
            "ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチです。",
            "ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチ",
        ),
        ("〇九〇の一二三四の五六七八です。", "〇九〇の一二三四の五六七八"),
        ("連絡先は(06)6123-4567です。", "(06)6123-4567"),
        ("番号は09012345678です。", "09012345678"),
    ],
)
def test_phone_numbers_in_every_spelling(text: str, number: str) -> None:
    assert found(text) == [("PHONE", number)]


@pytest.mark.parametrize(
    "text",
    [
        "3時15分ごろに電話しました。",
        "注文数は12345個です。",
        "今月の請求は5,480円でした。",
        "12か月間、毎月1,100円割引になります。",
        "受付番号はTK-482913です。",
        "4月1日から新しいプランになります。",
        "2025年4月1日から値上げになります。",
        "三回目の電話なんですよ。",
        "サンキューです。",
        "データ容量は20GBです。",
    ],
)
def test_quantities_times_prices_and_dates_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_card_numbers_pass_luhn_in_any_width_or_script() -> None:
    assert found("カード番号は4111 1111 1111 1111です。") == [("CREDIT_DEBIT_NUMBER", "4111 1111 1111 1111")]
    assert types("５１０５－１０５１－０５１０－５１００です。") == {"CREDIT_DEBIT_NUMBER"}
    assert types("四一一一 一一一一 一一一一 一一一一です。") == {"CREDIT_DEBIT_NUMBER"}


def test_a_number_failing_luhn_is_not_a_card() -> None:
    # Still redacted, as an identifier of some kind, but never called a card.
    assert found("4111 1111 1111 1112です。") == [("ACCOUNT_NUMBER", "4111 1111 1111 1112")]


def test_card_last_four_only_when_said_to_be_the_cards() -> None:
    assert found("末尾1234のカードですね。") == [("CREDIT_DEBIT_NUMBER", "1234")]
    assert found("下四桁は四一一一です。") == [("CREDIT_DEBIT_NUMBER", "四一一一")]
    assert found("1234の件ですが。") == []


def test_a_number_given_as_the_whole_answer_is_redacted() -> None:
    # 「口座番号をお願いします」「1234567です。」: the question was the turn before.
    assert found("えっと、1234567です。") == [("ACCOUNT_NUMBER", "1234567")]
    assert found("1234567の件ですが。") == []


def test_postcodes_need_the_postal_mark_or_context() -> None:
    assert found("〒154-0015 東京都世田谷区桜新町1丁目2番3号") == [
        ("POSTCODE", "〒154-0015"),
        ("ADDRESS", "東京都世田谷区桜新町1丁目2番3号"),
    ]
    assert found("郵便番号は154-0015です。") == [("POSTCODE", "154-0015")]
    assert found("一五四ー〇〇一五、郵便番号です。") == [("POSTCODE", "一五四ー〇〇一五")]
    assert found("品番は154-0015です。") == []


@pytest.mark.parametrize(
    "text, number",
    [
        ("口座番号は1234567です。", "1234567"),
        ("会員番号はＡＢ12345678です。", "ＡＢ12345678"),
        ("お客様番号、イチニーサンヨンゴーロクです。", "イチニーサンヨンゴーロク"),
        ("契約番号は00123456789になります。", "00123456789"),
    ],
)
def test_account_and_member_numbers_by_their_context(text: str, number: str) -> None:
    assert found(text) == [("ACCOUNT_NUMBER", number)]


# ---------------------------------------------------------------------------------------
# E-mail, dates, addresses.
# ---------------------------------------------------------------------------------------


def test_email_stops_where_the_japanese_starts() -> None:
    assert found("taro.yamada12@example.jp宛てにお送りします。") == [("EMAIL", "taro.yamada12@example.jp")]
    assert types("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍにお願いします。") == {"EMAIL"}


@pytest.mark.parametrize(
    "text, date",
    [
        ("1985年4月12日です。", "1985年4月12日"),
        ("生年月日は昭和60年4月12日です。", "昭和60年4月12日"),
        ("昭和六十年四月十二日生まれです。", "昭和六十年四月十二日"),
        ("1985/04/12生まれです。", "1985/04/12"),
        ("誕生日は平成元年1月8日です。", "平成元年1月8日"),
    ],
)
def test_dates_of_birth(text: str, date: str) -> None:
    assert found(text) == [("DATE_OF_BIRTH", date)]


def test_card_expiry_when_asked_for_or_named() -> None:
    assert found("有効期限2028年5月のカードですね。") == [("CREDIT_DEBIT_EXPIRY", "2028年5月")]
    assert found("2028年5月です。") == [("CREDIT_DEBIT_EXPIRY", "2028年5月")]
    assert found("2028年5月に新しい機種が出ます。") == []


@pytest.mark.parametrize(
    "address",
    [
        "東京都世田谷区桜新町1丁目2番3号",
        "神奈川県横浜市港北区日吉3丁目12番5号",
        "さいたま市浦和区高砂2丁目3番4号",
        "愛知県名古屋市中区栄3丁目4番5号 栄ハイツ302号室",
        "北海道札幌市中央区北1条西2丁目3番地",
        "京都府京都市中京区烏丸通御池下る虎屋町566-1",
        "静岡県浜松市中央区板屋町１１１−２",
    ],
)
def test_japanese_addresses_as_one_entity(address: str) -> None:
    assert found(f"住所は{address}です。") == [("ADDRESS", address)]


def test_a_place_mentioned_is_not_an_address() -> None:
    assert found("東京に出張していました。") == []
    assert found("大阪のショップに行きました。") == []


# ---------------------------------------------------------------------------------------
# Names (GiNZA and Sudachi).
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        ("山田太郎です。", "山田太郎"),
        ("お待たせいたしました。さくらモバイルカスタマーセンター、林でございます。", "林"),
        ("斎藤様、本日はありがとうございました。", "斎藤"),
        ("担当の佐々木が承りました。", "佐々木"),
        ("はい、森です。", "森"),
        ("お名前はエミリー・ブラウン様でよろしいですか。", "エミリー・ブラウン"),
        ("野口英世と申しますが、先日の件でお電話しました。", "野口英世"),
        ("娘の美咲の携帯の件です。", "美咲"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert found(text) == [("NAME", name)]


@pytest.mark.parametrize(
    "text",
    [
        "昨日、森の中を散歩しました。",
        "さくらモバイルのショップで購入しました。",
        "はい、そうです。",
        "林業の仕事をしています。",
    ],
)
def test_words_that_are_also_names(text: str) -> None:
    assert found(text) == []


# ---------------------------------------------------------------------------------------
# The contract.
# ---------------------------------------------------------------------------------------


def test_placeholder_replaces_exactly_the_entities_and_offsets_are_the_originals() -> None:
    text = "山田太郎です。電話は０９０ー１２３４ー５６７８、メールはtaro@example.jpです。"
    result = detector.redact(text, JA)
    assert result.text == "[PII]です。電話は[PII]、メールは[PII]です。"
    assert [text[e.start : e.end] for e in result.entities] == [
        "山田太郎",
        "０９０ー１２３４ー５６７８",
        "taro@example.jp",
    ]
    assert all(e.type in detector.ENTITY_TYPES for e in result.entities)


def test_overlapping_finds_merge_into_one_entity() -> None:
    # 日吉 is also a surname; inside the address it is part of one ADDRESS.
    assert found("神奈川県横浜市港北区日吉3丁目12番5号です。") == [("ADDRESS", "神奈川県横浜市港北区日吉3丁目12番5号")]


def test_redact_many_keeps_order_and_count() -> None:
    texts = ["はい。", "山田太郎です。", "", "090-1234-5678です。", "ありがとうございました。"]
    results = detector.redact_many(texts, JA)
    assert [r.text for r in results] == ["はい。", "[PII]です。", "", "[PII]です。", "ありがとうございました。"]
    assert [r.text for r in results] == [detector.redact(t, JA).text for t in texts]


def test_redacting_redacted_text_changes_nothing() -> None:
    text = "担当の佐藤でございます。山田太郎様、〒154-0015 東京都世田谷区桜新町1丁目2番3号、090-1234-5678ですね。"
    once = detector.redact(text, JA)
    twice = detector.redact(once.text, JA)
    assert twice.text == once.text and twice.entities == ()


def test_english_goes_through_the_patterns() -> None:
    text = "Call me at (425) 555-0187, card 4111 1111 1111 1111, born March 4th, 1985, j.doe@example.org."
    assert found(text, "en-US") == [
        ("PHONE", "(425) 555-0187"),
        ("CREDIT_DEBIT_NUMBER", "4111 1111 1111 1111"),
        ("DATE_OF_BIRTH", "March 4th, 1985"),
        ("EMAIL", "j.doe@example.org"),
    ]
    assert found("I called at 3:15 and the bill was $145.99.", "en-US") == []


def test_english_names_where_a_conversation_puts_them() -> None:
    assert found("Hi, my name is Benjamin and I'm calling from Northwind Mobile.", "en-US") == [("NAME", "Benjamin")]
    assert found("Please hold, Mr. Tanaka.", "en-US") == [("NAME", "Mr. Tanaka")]
    assert found("Jennifer Hall.", "en-US") == [("NAME", "Jennifer Hall")]
    assert found("This is Northwind Mobile calling about your bill.", "en-US") == []
    assert found("I'm Canadian, so the billing address is in Ontario.", "en-US") == []


def test_a_transcript_longer_than_the_tokenizer_takes() -> None:
    # Sudachi refuses more than 49,149 bytes; a long chat is read in sentence chunks.
    text = "山田太郎です。電話は090-1234-5678です。" * 2000
    result = detector.redact(text, JA)
    assert len(result.entities) == 4000
    assert {text[e.start : e.end] for e in result.entities} == {"山田太郎", "090-1234-5678"}


def test_supports_japanese_only() -> None:
    # English is redacted by Contact Lens; the patterns alone miss names, so the portal
    # must not advertise its own English redaction.
    assert detector.supports("ja-JP") and detector.supports("ja")
    assert not detector.supports("en-US") and not detector.supports("ko-KR")


def test_the_model_loads_once_under_concurrent_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy

    calls = []

    def slow_load(name: str, **kwargs: object) -> object:
        calls.append(name)
        time.sleep(0.05)
        return object()

    monkeypatch.setattr(spacy, "load", slow_load)
    monkeypatch.setattr(nlp, "_nlp", None)
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(nlp.model())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["ja_ginza"] and len({id(m) for m in seen}) == 1


def test_import_is_light_and_the_first_redaction_never_touches_the_network() -> None:
    script = textwrap.dedent(
        """
        import socket, sys
        import redaction.detector as detector
        assert "spacy" not in sys.modules, "the model must not load at import"

        def refuse(*args, **kwargs):
            raise AssertionError("network access")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        result = detector.redact("山田太郎です。taro@example.jp、4111 1111 1111 1111", "ja-JP")
        print(result.text)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[PII]です。[PII]、[PII]"


# ---------------------------------------------------------------------------------------
# Quality on labelled sets.
# ---------------------------------------------------------------------------------------


def test_demo_japanese_dialogues_reach_the_recall_targets() -> None:
    cases = demo_cases(JA_JP, 25)
    assert len(cases) > 300
    tallies = score(cases, detector.redact_many([c.text for c in cases], JA))
    for kind, target in TARGETS.items():
        if kind in tallies:
            assert tallies[kind].recall() >= target, kind
    assert tallies["ALL"].precision() >= 0.9


def test_supplementary_set_reaches_the_recall_targets() -> None:
    cases = supplement_cases(JA_JP)
    tallies = score(cases, detector.redact_many([c.text for c in cases], JA))
    for kind, target in TARGETS.items():
        assert tallies[kind].recall() >= target, kind
    assert tallies["ALL"].precision() >= 0.9
