"""Transcript redaction: recall and precision per entity type, and throughput.

Two labelled sets, because the demo generator alone would reward learning its wording:

- demo: dialogues from `demo.conversations`, which marks every personal-data slot; the
  slot name gives the entity type (`SLOT_TYPES`).
- supplement: hand-written sentences in wordings the demo never uses (other names,
  prefectures, buildings; kanji, katakana and full-width numbers; international phone
  formats; account and member numbers) and sentences with no personal data that look
  as if they had some (times, quantities, prices, appointment dates, company names).
- held-out and fresh: more such sentences, written after the rules were tuned on the
  first two sets (fresh: after held-out), so their first runs estimate unseen wording.

English is scored too (patterns and name cues, no model), for information: Contact Lens
redacts English, and `detector.supports` does not claim it.

Scores are character-level and type-agnostic for recall (a gold character counts as
found when any entity covers it, since the output is an untyped `[PII]`); precision
per type is the share of characters predicted as that type that lie inside a gold span.
"Whole" is entity-level recall: gold entities covered from end to end.

Targets: recall ≥ 99 % for PHONE, CREDIT_DEBIT_NUMBER, POSTCODE, ACCOUNT_NUMBER;
≥ 95 % for NAME and ADDRESS; precision ≥ 90 %. No database: `python -m bench.redaction_bench`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from demo.conversations import OUTBOUND_TOPICS, PII_SLOTS, TOPICS, build_dialogue, call_slots, customer
from demo.directory import EN_US, JA_JP, demo_directory
from redaction import detector

SLOT_TYPES = {
    "agent": "NAME",
    "cust_first": "NAME",
    "cust_last": "NAME",
    "cust_full": "NAME",
    "phone": "PHONE",
    "dob": "DATE_OF_BIRTH",
    "card": "CREDIT_DEBIT_NUMBER",
    "card_last4": "CREDIT_DEBIT_NUMBER",
    "expiry": "CREDIT_DEBIT_EXPIRY",
    "address": "ADDRESS",
    "new_address": "ADDRESS",
    "email": "EMAIL",
}
assert set(SLOT_TYPES) == PII_SLOTS
TARGETS = {"PHONE": 0.99, "CREDIT_DEBIT_NUMBER": 0.99, "POSTCODE": 0.99, "ACCOUNT_NUMBER": 0.99, "NAME": 0.95,
           "ADDRESS": 0.95}  # fmt: skip
PRECISION_TARGET = 0.90


@dataclass(frozen=True)
class Case:
    text: str
    gold: tuple[tuple[str, int, int], ...]  # (entity type, start, end)


# ---------------------------------------------------------------------------------------
# The demo set.
# ---------------------------------------------------------------------------------------


def demo_cases(language: str, dialogues: int, seed: int = 7) -> list[Case]:
    agents = [a.spoken_name for a in demo_directory(seed).agents if a.language == language]
    cases = []
    for i in range(dialogues):
        rng = random.Random(f"redaction-bench/{language}/{i}")
        person = customer(seed, language, rng.randrange(2000))
        slots = call_slots(rng, person, rng.choice(agents), 1_780_000_000 + i * 3_541)
        mode = rng.choice(("inbound",) * 6 + ("outbound", "callback", "followup"))
        topic = rng.choice(OUTBOUND_TOPICS if mode == "outbound" else TOPICS)
        transfer = rng.choice((None,) * 8 + ("agent", "external")) if mode == "inbound" else None
        turns = build_dialogue(rng, language, rng.random() < 0.7, topic, slots, mode, transfer)
        slot_of = {slots[name]: name for name in PII_SLOTS}
        for turn in turns:
            gold, pos = [], 0
            for text, pii in turn.parts:
                if pii:
                    gold.append((SLOT_TYPES[slot_of[text]], pos, pos + len(text)))
                pos += len(text)
            cases.append(Case(turn.text, tuple(gold)))
    return cases


# ---------------------------------------------------------------------------------------
# The supplementary set: [[TYPE|text]] marks personal data.
# ---------------------------------------------------------------------------------------

SUPPLEMENT_JA = """\
お電話ありがとうございます。ひまわり損保の[[NAME|小野寺]]でございます。
[[NAME|西園寺]]様でいらっしゃいますね。
はい、[[NAME|宮本武蔵]]と申します。
契約者は妻の[[NAME|菅原 千尋]]です。
[[NAME|久保田]]さんから折り返しのお電話をいただけると聞いていました。
担当の[[NAME|北川]]が戻りましたら、ご連絡いたします。
名義は[[NAME|大野 健太]]になっています。
[[NAME|石田]]様のお電話番号は[[PHONE|080-9876-5432]]でよろしいでしょうか。
[[NAME|野口英世]]と申しますが、先日の件でお電話しました。
息子の[[NAME|翔太]]が使っている回線です。
はい、[[NAME|桑原]]です。
電話番号は[[PHONE|ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチ]]です。
えっと、[[PHONE|〇九〇の一二三四の五六七八]]です。
携帯は[[PHONE|０９０ー８７６５ー４３２１]]です。
自宅の番号は[[PHONE|03-3456-7890]]です。
海外からなので、[[PHONE|+81 90 1234 5678]]にかけてください。
[[PHONE|+81-3-1234-5678]]までご連絡ください。
連絡先は[[PHONE|(06)6123-4567]]でお願いします。
[[PHONE|０６−６１２３−４５６７]]です。
[[PHONE|ゼロハチゼロ ヨンヨンサンサン ニーニーイチイチ]]です。
番号は[[PHONE|〇四五、九八七、六五四三]]です。
フリーダイヤルの[[PHONE|0120-123-456]]からお電話しています。
カード番号は[[CREDIT_DEBIT_NUMBER|4111-1111-1111-1111]]です。
[[CREDIT_DEBIT_NUMBER|５１０５　１０５１　０５１０　５１００]]です。
[[CREDIT_DEBIT_NUMBER|四一一一 一一一一 一一一一 一一一一]]です。
カードは[[CREDIT_DEBIT_NUMBER|3530111333300000]]でお願いします。
下四桁は[[CREDIT_DEBIT_NUMBER|四一一一]]です。
末尾が[[CREDIT_DEBIT_NUMBER|5100]]のカードですね。
有効期限は[[CREDIT_DEBIT_EXPIRY|27年3月]]です。
郵便番号は[[POSTCODE|154-0015]]です。
[[POSTCODE|〒530-0001]] [[ADDRESS|大阪府大阪市北区梅田3丁目1番1号]]
[[POSTCODE|一五四ー〇〇一五]]、郵便番号です。
住所は[[ADDRESS|北海道札幌市中央区北1条西2丁目3番地]]です。
[[ADDRESS|福岡県福岡市博多区博多駅前2-1-1]]に引っ越しました。
[[ADDRESS|愛知県名古屋市中区栄3丁目4番5号 栄ハイツ302号室]]です。
新しい住所は[[ADDRESS|宮城県仙台市青葉区一番町1-2-3]]です。
[[ADDRESS|広島市中区紙屋町2丁目2番2号]]でお願いします。
[[ADDRESS|沖縄県那覇市久茂地1丁目1番1号]]に送ってください。
実家は[[ADDRESS|長野県松本市]]です。
[[ADDRESS|静岡県浜松市中央区板屋町１１１−２]]です。
口座番号は[[ACCOUNT_NUMBER|1234567]]です。
会員番号は[[ACCOUNT_NUMBER|ＡＢ12345678]]ではなく[[ACCOUNT_NUMBER|87654321]]です。
お客様番号、[[ACCOUNT_NUMBER|イチニーサンヨンゴーロク]]です。
契約番号は[[ACCOUNT_NUMBER|00123456789]]になります。
お客様番号は[[ACCOUNT_NUMBER|二〇二六〇一〇一五]]です。
生年月日は[[DATE_OF_BIRTH|昭和60年4月12日]]です。
[[DATE_OF_BIRTH|1985/04/12]]生まれです。
誕生日は[[DATE_OF_BIRTH|平成元年1月8日]]です。
[[DATE_OF_BIRTH|一九七二年十一月三日]]です。
メールアドレスは[[EMAIL|hanako_s-77@mail.example.co.jp]]です。
[[EMAIL|ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ]]にお願いします。
3時15分ごろに電話しました。
明日の10時30分にお伺いします。
ルーターを2台注文しました。
注文数は12000個です。
今月の請求は5,480円でした。
料金は12,800円になります。
4月1日から新しいプランになります。
2025年4月1日から値上げになります。
受付番号はTK-482913です。
三回目の電話なんですよ。
ギガプランから無制限プランに変更したいです。
さくらモバイルのショップで購入しました。
東京に出張していました。
大阪のショップに行きました。
森の近くに住んでいます。
林業の仕事をしています。
データ容量は20GBです。
電源を切って30秒待ってください。
12か月間、毎月1,100円割引になります。
シニアプランはありますか。
サンキューです。
大丈夫です、そのままで結構です。
"""

# Written after the rules above were tuned and never tuned on: the honest figure.
HELD_OUT_JA = """\
もしもし、[[NAME|吉村]]ですけど、昨日の件で折り返しお願いできますか。
[[NAME|岡本]]さん、いつもお世話になっております。
[[NAME|藤原]]様の奥様でいらっしゃいますか。
はい、[[NAME|荒木 由紀子]]です。
私、[[NAME|高田]]と申しますが、ご契約者の[[NAME|高田 修一]]の代理です。
ご担当は[[NAME|三浦]]さんでしたっけ。
[[NAME|上野]]から引き継ぎました[[NAME|松井]]です。
お名前は[[NAME|エミリー・ブラウン]]様でよろしいですか。
[[NAME|新井]]が確認いたしますので、少々お待ちください。
[[NAME|中川 美咲]]様宛てにお送りいたします。
あ、[[NAME|小島]]です。先ほどはどうも。
えーと、番号は[[PHONE|080の4567の1234]]です。
[[PHONE|ゼロナナゼロ イチイチイチイチ ニーニーニーニー]]にお願いします。
日中は[[PHONE|052-961-1234]]にいます。
[[PHONE|+81 (0)3 5555 1234]]から電話しています。
夜は[[PHONE|090 8888 7777]]のほうが繋がります。
[[PHONE|〇三、五五五五、一二三四]]です。
会社の電話番号は[[PHONE|0312345678]]です。
カードの番号は[[CREDIT_DEBIT_NUMBER|5555-5555-5555-4444]]で、
[[CREDIT_DEBIT_NUMBER|ヨンイチイチイチ イチイチイチイチ イチイチイチイチ イチイチイチイチ]]です。
[[CREDIT_DEBIT_NUMBER|３７８２　８２２４６３　１０００５]]のアメックスです。
下4桁が[[CREDIT_DEBIT_NUMBER|4444]]のカードに変更しました。
[[POSTCODE|〒060-0001]]、[[ADDRESS|札幌市中央区北一条西二丁目]]です。
郵便番号、[[POSTCODE|九八〇の八五七〇]]です。
[[ADDRESS|京都府京都市中京区烏丸通御池下る虎屋町566-1]]です。
[[ADDRESS|千葉県柏市柏1-2-3 グランドメゾン柏505]]に住んでいます。
送り先は[[ADDRESS|兵庫県西宮市甲子園町1番82号]]でお願いします。
[[ADDRESS|埼玉県川口市本町４丁目１番８号]]、そちらに転居しました。
[[ADDRESS|東京都港区六本木6-10-1]]のオフィスです。
会員番号は[[ACCOUNT_NUMBER|A-98765432]]です。
お客さま番号は[[ACCOUNT_NUMBER|7788 9900 11]]になります。
口座番号は普通の[[ACCOUNT_NUMBER|1122334]]です。
生年月日は[[DATE_OF_BIRTH|平成3年12月25日]]です。
[[DATE_OF_BIRTH|１９９０年１月２日]]生まれです。
誕生日は[[DATE_OF_BIRTH|1968-07-30]]です。
メールは[[EMAIL|k.ishii@example.ne.jp]]、すべて小文字です。
有効期限は[[CREDIT_DEBIT_EXPIRY|2029年11月]]までです。
次回の訪問は12月3日の午前9時から12時の間です。
先月は3回ほど電話しました。
請求額は8,800円で、割引後は7,700円です。
2030年までの長期契約になります。
バージョン15.2にアップデートしてください。
渋谷のショップで機種変更しました。
横浜方面に引っ越す予定です。
佐藤製作所の代表番号ではなく、個人の携帯にお願いします。
20分ほどお待ちいただけますか。
再起動は1日1回で十分です。
田中角栄の本を読みました。
[[NAME|森]]さんの件ではなく、契約の件です。
"""

SUPPLEMENT_EN = """\
Hi, this is [[NAME|Priya]] from the billing team.
My number is [[PHONE|(425) 555-0187]].
You can reach me at [[PHONE|+1 312 555 0199]].
Call me back on [[PHONE|+44 20 7946 0958]].
The card number is [[CREDIT_DEBIT_NUMBER|4111 1111 1111 1111]].
It's the card ending in [[CREDIT_DEBIT_NUMBER|1111]].
My email is [[EMAIL|j.doe+billing@example.org]].
I was born on [[DATE_OF_BIRTH|July 4th, 1976]].
My account number is [[ACCOUNT_NUMBER|88123456]].
Send it to [[ADDRESS|742 Evergreen Terrace, Springfield, OR 97403]].
The zip code is [[POSTCODE|98101]].
I called at 3:15 and waited 45 minutes.
I ordered 12000 units last year.
The bill was $145.99 this month.
Your reference number is TK-384756.
"""

# A second unseen set, written last: run once, never tuned on.
FRESH_JA = """\
恐れ入ります、[[NAME|大西]]様のお宅でしょうか。
先日お電話した[[NAME|和田]]ですが、[[NAME|竹内]]さんはいらっしゃいますか。
契約者の名前は[[NAME|平野 真由美]]、電話は[[PHONE|090-2345-6789]]です。
チャットで失礼します。[[NAME|杉山]]と申します。
[[NAME|金子]]様、お待たせいたしました。担当の[[NAME|千葉]]でございます。
[[NAME|佐野]]が本日の担当でした。ありがとうございました。
娘の[[NAME|美咲]]の携帯の件です。
えーと、[[NAME|河野]]です。あ、[[NAME|河野 大樹]]です。
引っ越し先は[[ADDRESS|東京都杉並区高円寺北二丁目三番四号]]です。
[[ADDRESS|大阪府堺市堺区南瓦町3番1号]]の市役所の近くです。
[[ADDRESS|福岡市中央区天神1-8-1]]、ビルの10階です。
[[ADDRESS|新潟県長岡市大手通1丁目4番地10]]に住んでます。
[[POSTCODE|〒980-8570]] [[ADDRESS|宮城県仙台市青葉区本町3丁目8番1号]]
携帯番号は[[PHONE|080 1111 2222]]です。
[[PHONE|ゼロサン ゴーゴーゴーゴー イチニーサンヨン]]までお願いします。
番号は[[PHONE|０８０－９９９９－８８８８]]で登録してます。
[[PHONE|+1 206 555 0100]]はアメリカの番号です。
カード番号は[[CREDIT_DEBIT_NUMBER|4012 8888 8888 1881]]、期限は[[CREDIT_DEBIT_EXPIRY|2030年1月]]です。
[[CREDIT_DEBIT_NUMBER|３５６６　００２０　２０３６　０５０５]]のJCBです。
口座番号は[[ACCOUNT_NUMBER|7654321]]、支店は本店です。
会員IDは[[ACCOUNT_NUMBER|M12345678]]です。
[[DATE_OF_BIRTH|昭和55年3月3日]]生まれです。
生年月日は[[DATE_OF_BIRTH|2001年12月1日]]です。
アドレスは[[EMAIL|yuki-m@example.com]]です。
令和7年5月1日から新料金になります。
2024/05/01にお支払いいただいています。
15:30以降でしたらいつでも大丈夫です。
iPhone 15を2台、分割で購入しました。
第3四半期の請求分です。
光回線の工事は来週の火曜日です。
本町のショップは10時開店です。
ポイントが3000ポイント貯まっています。
お手数ですが、もう一度再起動してください。
日本橋の本社に問い合わせました。
"""

HELD_OUT_EN = """\
Good morning, you're speaking with [[NAME|Marcus]] in accounts.
Could I have your surname, please? It's [[NAME|Okafor]].
Yeah, I spoke to [[NAME|Dana]] yesterday about this.
This is [[NAME|Gloria Estevez]], I'm the account holder.
Please hold, [[NAME|Mr. Tanaka]].
My wife [[NAME|Susan]] set up the account.
Reach me on [[PHONE|07700 900123]], that's my mobile.
My number is [[PHONE|1-800-555-0134]].
The card is [[CREDIT_DEBIT_NUMBER|5555-5555-5555-4444]], expiring [[CREDIT_DEBIT_EXPIRY|09/27]].
My date of birth is [[DATE_OF_BIRTH|12/03/1981]].
Ship it to [[ADDRESS|88 Queen Street West, Toronto, ON M5H 2N2]].
Member number [[ACCOUNT_NUMBER|55001234]], please.
I'm Canadian, so the billing address is in Ontario.
This is Northwind Mobile calling about your bill.
Thanks, that's all for today.
My router model is RX 4000 and it restarts every 15 minutes.
We have 3 lines and pay $120 a month.
Thank you, Sir, have a good day.
"""

_MARK = re.compile(r"\[\[(\w+)\|(.+?)\]\]")


def parse_marked(line: str) -> Case:
    out, gold, cursor = "", [], 0
    for m in _MARK.finditer(line):
        out += line[cursor : m.start()]
        start = len(out)
        out += m.group(2)
        gold.append((m.group(1), start, len(out)))
        cursor = m.end()
    out += line[cursor:]
    return Case(out, tuple(gold))


def supplement_cases(language: str, held_out: bool = False, fresh: bool = False) -> list[Case]:
    if language == JA_JP:
        source = FRESH_JA if fresh else HELD_OUT_JA if held_out else SUPPLEMENT_JA
    else:
        source = HELD_OUT_EN if held_out else SUPPLEMENT_EN
    return [parse_marked(line) for line in source.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------
# Scoring.
# ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    gold_chars: int = 0
    found_chars: int = 0
    gold_entities: int = 0
    whole_entities: int = 0
    predicted_chars: int = 0
    correct_chars: int = 0

    def recall(self) -> float:
        return self.found_chars / self.gold_chars if self.gold_chars else float("nan")

    def whole(self) -> float:
        return self.whole_entities / self.gold_entities if self.gold_entities else float("nan")

    def precision(self) -> float:
        return self.correct_chars / self.predicted_chars if self.predicted_chars else float("nan")


def score(cases: list[Case], results: list[detector.Redacted]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for case, result in zip(cases, results, strict=True):
        covered = {i for e in result.entities for i in range(e.start, e.end)}
        gold_chars = {i for _, start, end in case.gold for i in range(start, end)}
        for kind, start, end in case.gold:
            hit = sum(i in covered for i in range(start, end))
            for t in (tallies[kind], tallies["ALL"]):
                t.gold_chars += end - start
                t.found_chars += hit
                t.gold_entities += 1
                t.whole_entities += hit == end - start
        for e in result.entities:
            right = sum(i in gold_chars for i in range(e.start, e.end))
            for t in (tallies[e.type], tallies["ALL"]):
                t.predicted_chars += e.end - e.start
                t.correct_chars += right
    return tallies


def misses(cases: list[Case], results: list[detector.Redacted], limit: int = 12) -> list[str]:
    """The first few texts with a gold character left in, or a character wrongly taken."""
    out = []
    for case, result in zip(cases, results, strict=True):
        covered = {i for e in result.entities for i in range(e.start, e.end)}
        gold = {i for _, s, e in case.gold for i in range(s, e)}
        if gold - covered or covered - gold:
            out.append(f"    {case.text!r} → {result.text!r}")
        if len(out) >= limit:
            break
    return out


def report(name: str, tallies: dict[str, Tally]) -> bool:
    print(f"\n{name}: char-level recall, entity-level whole-entity recall, char-level precision")
    print(f"  {'type':22} {'gold':>6} {'recall':>8} {'whole':>8} {'predicted':>10} {'precision':>10}")
    ok = True
    for kind in (*detector.ENTITY_TYPES, "ALL"):
        t = tallies.get(kind)
        if t is None:
            continue
        flag = ""
        if kind in TARGETS and t.gold_chars and t.recall() < TARGETS[kind]:
            flag, ok = " recall below target", False
        if t.predicted_chars and t.precision() < PRECISION_TARGET:
            flag, ok = flag + " precision below target", False
        print(f"  {kind:22} {t.gold_entities:6d} {_pct(t.recall())} {_pct(t.whole())} "
              f"{t.predicted_chars:10d} {_pct(t.precision(), 10)}{flag}")  # fmt: skip
    return ok


def _pct(value: float, width: int = 8) -> str:
    return f"{'—':>{width}}" if value != value else f"{value * 100:{width - 1}.1f}%"


def run(name: str, cases: list[Case], language: str, show_misses: bool) -> bool:
    results = detector.redact_many([c.text for c in cases], language)
    ok = report(f"{name} ({len(cases)} turns, {language})", score(cases, results))
    if show_misses:
        print("\n".join(misses(cases, results)))
    return ok


def django_translations() -> list[str]:
    """Japanese sentences nobody here wrote and that hold no personal data: Django's own
    translations (1 of its 700-odd strings, ソルト "salt", is taken for a name)."""
    import django

    root = Path(django.__file__).parent
    files = [root / "conf/locale/ja/LC_MESSAGES/django.po", *root.glob("contrib/*/locale/ja/LC_MESSAGES/django.po")]
    return [text for f in files for text in re.findall(r'^msgstr "(.+)"$', f.read_text("utf-8"), re.MULTILINE)]


def false_alarms(texts: list[str]) -> None:
    results = detector.redact_many(texts, JA_JP)
    flagged = [(t, r) for t, r in zip(texts, results, strict=True) if r.entities]
    print(f"\nno personal data (Django's Japanese translations): {len(flagged)} of {len(texts)} strings redacted")
    for text, result in flagged[:5]:
        print(f"    {text!r} → {result.text!r}")


def throughput(texts: list[str], language: str, batch: int = 200) -> float:
    """Turns per second through `redact_many`, one call per transcript-sized batch; best of two."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            detector.redact_many(texts[i : i + batch], language)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def model_share(texts: list[str]) -> float:
    from redaction import nlp

    return sum(nlp._needs_model(nlp.model().make_doc(t)) for t in texts) / len(texts)


def model_on_every_turn(texts: list[str]) -> float:
    """The rate if every turn needed the network (free text full of proper nouns)."""
    from redaction import nlp

    started = time.perf_counter()
    for _ in nlp.model().pipe(texts, batch_size=nlp.BATCH_SIZE):
        pass
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dialogues", type=int, default=300, help="Japanese demo dialogues to label")
    parser.add_argument("--misses", action="store_true", help="print texts where the detector and the labels differ")
    args = parser.parse_args()
    started = time.perf_counter()
    detector.redact("モデルを読み込みます。", JA_JP)  # load outside the timed runs
    print(f"model load and first text: {time.perf_counter() - started:.1f} s; {detector.REDACTOR_VERSION}")
    demo_ja = demo_cases(JA_JP, args.dialogues)
    ok = run("demo", demo_ja, JA_JP, args.misses)
    ok &= run("supplement", supplement_cases(JA_JP), JA_JP, args.misses)
    ok &= run("held-out supplement", supplement_cases(JA_JP, held_out=True), JA_JP, args.misses)
    ok &= run("fresh supplement", supplement_cases(JA_JP, fresh=True), JA_JP, args.misses)
    demo_en = demo_cases(EN_US, 100)
    run("demo, English (patterns and name cues, no model)", demo_en, EN_US, args.misses)
    run("supplement, English", supplement_cases(EN_US), EN_US, args.misses)
    run("held-out supplement, English", supplement_cases(EN_US, held_out=True), EN_US, args.misses)

    false_alarms(django_translations())

    texts = [c.text for c in demo_ja]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nthroughput on {os.cpu_count()} cores (load average {load}), batches of 200 turns:")
    share = model_share(texts)
    print(
        f"  Japanese: {throughput(texts, JA_JP):8,.0f} turns/s (the network ran on the {share:.0%} with an undecided name)"
    )
    print(f"  Japanese, network on every turn: {model_on_every_turn(texts[:1000]):8,.0f} turns/s (worst case)")
    print(f"  English:  {throughput([c.text for c in demo_en], EN_US):8,.0f} turns/s (patterns)")
    print("targets met (Japanese sets)" if ok else "TARGETS NOT MET (Japanese sets)")


if __name__ == "__main__":
    main()
