"""Scripted contact-centre dialogues in English and Japanese, and their timing.

A dialogue is one opening (inbound greeting, outbound call, callback, or a supervisor
taking over a transferred call), one scenario (billing, card update, cancellation,
address change, technical support, complaint, plan change) and a closing. Every line
has a few wordings per language under the same key, with slots filled from the
customer and the call, so thousands of contacts read differently. Slots that carry
personal data are marked, so the redacted analysis can replace exactly those spans
with `[PII]` and the redacted recording can silence exactly those milliseconds.
"""

from __future__ import annotations

import calendar
import random
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from demo.directory import EN_US, JA_JP
from demo.records import between, pick

AGENT = "AGENT"
CUSTOMER = "CUSTOMER"
POSITIVE, NEGATIVE, NEUTRAL, MIXED = "POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"

# Slots whose values Contact Lens' PII redaction removes (names, numbers, addresses).
PII_SLOTS = frozenset(
    {
        "agent",
        "cust_first",
        "cust_last",
        "cust_full",
        "phone",
        "dob",
        "card",
        "card_last4",
        "expiry",
        "address",
        "new_address",
        "email",
    }
)

TOPICS = ("billing", "card_update", "cancellation", "address_change", "tech_support", "complaint", "plan_change")
OUTBOUND_TOPICS = ("card_update", "billing", "plan_change")

# ---------------------------------------------------------------------------------------
# Lines. Keys are shared by both languages; each value is a tuple of wordings.
# ---------------------------------------------------------------------------------------

LINES_EN: dict[str, tuple[str, ...]] = {
    "greet.voice": (
        "Thank you for calling {company}, my name is {agent}. How can I help you today?",
        "Thanks for calling {company}, this is {agent} speaking. How may I help you?",
        "Good {daypart}, thank you for calling {company}. This is {agent}. What can I do for you today?",
    ),
    "greet.voice_casual": ("Hi, this is {agent}. What can I do for you?", "Hello, {agent} speaking."),
    "greet.chat": (
        "Hello, thanks for contacting {company}. This is {agent}. How may I help you?",
        "Hi there! My name is {agent} and I'll be helping you today. What can I do for you?",
    ),
    "greet.chat_casual": ("Hi, {agent} here. How can I help?",),
    "outbound.open": ("Hi, may I speak with {cust_full}, please?", "Hello, is this {cust_first} {cust_last}?"),
    "outbound.confirm": ("Speaking.", "Yes, this is {cust_first}.", "Yes, who's calling?"),
    "outbound.intro": (
        "Hi {cust_first}, this is {agent} calling from {company}.",
        "Hi, my name is {agent} and I'm calling from {company} customer care.",
    ),
    "outbound.ok": ("Sure, go ahead.", "Okay. What's this about?", "Okay."),
    "callback.open": (
        "Hello, this is {agent} from {company}, returning your call. Am I speaking with {cust_first}?",
        "Hi, this is {agent} with {company}. You requested a callback earlier. Is this {cust_full}?",
    ),
    "callback.confirm": ("Yes, that's me. Thanks for calling back.", "Yes. Thank you, I was waiting for your call."),
    "followup.open": (
        "Hi {cust_first}, this is {agent}, I'm a supervisor here at {company}. I've read through the notes from "
        "my colleague, and I'm sorry about all of this.",
        "Hello {cust_first}, my name is {agent}, I'm the team lead. Thank you for holding. I understand you've had "
        "a frustrating experience.",
    ),
    "followup.demand": (
        "Okay. So can you actually fix it this time?",
        "I hope so. I've explained this three times now.",
    ),
    "followup.fix": (
        "Yes. I've applied a credit of {credit} to your account, and I've added a note so this doesn't happen again.",
        "I've reversed the charge of {amount} and added a credit of {credit} for the trouble.",
    ),
    "followup.confirm": (
        "You'll get a confirmation email at {email} within the hour.",
        "I'll personally check your next bill to make sure it's correct.",
    ),
    "followup.ok_pos": ("Okay. Thank you, I really appreciate that.", "Thank you. That's all I wanted."),
    "followup.ok_mixed": ("Fine. Thanks, I guess that's the best I'm going to get.",),
    "verify.ask_name": (
        "I can help you with that. Can I get your full name, please?",
        "Sure, I'd be happy to look into that. May I have the name on the account?",
        "Okay. First, can I have your first and last name?",
    ),
    "verify.name": (
        "Yes, it's {cust_full}.",
        "{cust_full}.",
        "Sure. My first name is {cust_first} and my last name is {cust_last}.",
    ),
    "verify.ask_phone": (
        "Thank you, {cust_first}. And can you confirm the phone number on the account?",
        "Thanks, {cust_first}. Could you also verify the phone number we have on file?",
        "Great. And what's the phone number on the account?",
    ),
    "verify.phone": ("It's {phone}.", "Sure, {phone}.", "{phone}."),
    "verify.ask_dob": (
        "And for security, can you give me your date of birth?",
        "One more thing for verification. What's your date of birth?",
    ),
    "verify.dob": ("{dob}.", "It's {dob}."),
    "verify.lookup": (
        "Perfect, thank you. Let me pull up your account, one moment please.",
        "Thank you. Give me just a moment while I bring up your account.",
        "Okay, bear with me while I look that up.",
    ),
    "verify.back": (
        "Thank you for holding, {cust_first}. I have your account open now.",
        "Thanks for waiting. Okay, I can see your account here.",
        "Sorry about the wait. Alright, I've got your account.",
    ),
    "verify.found": ("Thank you, I've found your account.", "Thanks, {cust_first}. I have your account here."),
    "closing.anything": (
        "Is there anything else I can help you with today?",
        "Is there anything else I can do for you?",
        "Anything else I can help with?",
    ),
    "closing.no_pos": (
        "No, that's everything. Thanks so much for your help.",
        "No, that's all. Thank you, you've been really helpful.",
        "Nope, that's it. Thanks!",
    ),
    "closing.no_neu": ("No, that's it.", "No. Thanks."),
    "closing.no_neg": ("No. Just make sure this actually gets fixed.", "No. I just hope I don't have to call again."),
    "closing.bye": (
        "You're welcome, {cust_first}. Thank you for calling {company}, and have a great day.",
        "Thanks for calling, {cust_first}. Take care.",
        "My pleasure. Have a wonderful {daypart}.",
    ),
    "closing.bye_chat": (
        "Thank you for contacting {company}. Have a great day!",
        "Happy to help, {cust_first}. Have a good one!",
    ),
    "closing.bye_outbound": (
        "Thanks for your time, {cust_first}. Have a great day.",
        "Alright, thank you, {cust_first}. Enjoy the rest of your {daypart}.",
    ),
    "closing.bye_customer": ("You too. Bye.", "Bye.", "Thanks, bye."),
    "billing.intro": (
        "Hi, I'm calling about my bill. It's {amount} this month, and it's usually around {usual_amount}.",
        "Yeah, hi. I just got my statement and I was charged {amount}. I think I've been charged twice.",
        "Hi. My bill went up to {amount} and I don't understand why.",
    ),
    "billing.outbound": (
        "I'm calling about your last bill. We noticed you were charged twice for {amount} on {date}.",
    ),
    "billing.outbound_reply": ("Oh, really? I didn't even notice.", "Oh. Okay, what happens now?"),
    "billing.explain": (
        "I see what happened. There's a one-time activation fee and some international roaming charges from {date}.",
        "Okay, I can see it. The payment on {date} was processed twice by mistake.",
        "It looks like your promotional discount expired last month, which is why the amount went up.",
    ),
    "billing.react_neg": ("Roaming? I didn't even travel.", "That's not okay. Nobody told me about that."),
    "billing.react_neu": ("Okay, so can you fix that?", "I see. Is there anything you can do?"),
    "billing.fix": (
        "I understand, and I'm sorry about that. I've applied a credit of {credit} to your account.",
        "I've gone ahead and reversed the duplicate charge, so you'll get {credit} back.",
        "I can't bring back the old discount, but I've applied a one-time credit of {credit}.",
    ),
    "billing.when": (
        "You'll see it on your next statement, usually within one to two billing cycles.",
        "The refund should show up on your card in three to five business days.",
    ),
    "billing.thanks": ("Okay, great. Thank you.", "Oh, that's a relief. Thanks."),
    "billing.email": (
        "I'll also send a confirmation to your email, {email}.",
        "I'm sending you an email with the details right now.",
    ),
    "card.intro_neu": (
        "Hi, I got a text saying my automatic payment failed. My card expired, so I need to update it.",
    ),
    "card.intro_neg": ("Hi, my payment was declined and now I have a late fee. I need to change the card on file.",),
    "card.outbound": ("I'm calling because the automatic payment of {amount} on {date} was declined.",),
    "card.outbound_reply": ("Oh, my card must have expired. Can I give you the new one?",),
    "card.ask": (
        "No problem, I can update that for you. What's the new card number?",
        "Sure. Go ahead with the new card number whenever you're ready.",
    ),
    "card.number": ("Okay, it's {card}.", "It's {card}."),
    "card.ask_exp": ("Thank you. And the expiration date?", "Got it. What's the expiry date on the card?"),
    "card.exp": ("{expiry}.", "It expires {expiry}."),
    "card.readback": (
        "Let me read that back. A card ending in {card_last4}, expiring {expiry}. Is that correct?",
        "So that's the card ending in {card_last4}, expiration {expiry}?",
    ),
    "card.yes": ("Yes, that's right.", "Correct."),
    "card.done": (
        "Great. The card has been updated, and I've reprocessed the payment of {amount}. It went through successfully.",
        "Perfect. Your new card is on file and today's payment of {amount} was approved.",
    ),
    "card.fee": ("I've also waived the late fee as a courtesy.",),
    "card.thanks": ("Oh good, thank you.", "Thank you, that's great."),
    "cancel.intro": (
        "Hi, I'd like to cancel my service.",
        "Yes, hello. I want to cancel my {plan} subscription.",
        "I need to cancel. I want to cancel my plan.",
    ),
    "cancel.ack": (
        "I'm sorry to hear you want to leave. I can help you with that.",
        "Okay, I can help you with the cancellation.",
    ),
    "cancel.ask_reason": (
        "May I ask why you're cancelling?",
        "Before we go ahead, do you mind telling me why you'd like to cancel?",
    ),
    "cancel.reason_price": (
        "Honestly, it's just too expensive. I found a cheaper plan with another provider.",
        "The price keeps going up. I'm paying {amount} a month, and I can get the same thing for half that.",
    ),
    "cancel.reason_move": (
        "I'm moving abroad next month, so I won't need it anymore.",
        "We're moving in with family and we won't need a separate line.",
    ),
    "cancel.reason_quality": (
        "The service has been really unreliable. My calls drop all the time.",
        "The internet keeps cutting out, and I'm tired of it.",
    ),
    "cancel.offer": (
        "I understand. Before you go, I can offer you a {discount} discount for the next twelve months if you stay with us.",
        "I hear you. What I can do is give you {discount} off your monthly bill for a year. Would that change your mind?",
    ),
    "cancel.accept": ("Hmm, that actually sounds good. Okay, I'll stay.", "Really? Okay, in that case I'll keep it."),
    "cancel.kept": (
        "Wonderful. I've applied the discount to your account, starting with your next bill.",
        "Great, the discount is on your account now, effective from your next billing cycle.",
    ),
    "cancel.decline": ("No, thank you. I'd still like to cancel.", "I appreciate it, but I've made up my mind."),
    "cancel.done": (
        "Okay. I've processed the cancellation. Your service will remain active until the end of the billing period on {end_date}.",
        "Alright, your account is scheduled for cancellation on {end_date}. You won't be charged after that.",
    ),
    "cancel.email": (
        "You'll receive a confirmation email at {email} with the details.",
        "I'll send you the final bill and a confirmation by email.",
    ),
    "cancel.ok": ("Okay, thanks.", "Alright."),
    "address.intro": (
        "Hi, I recently moved and I need to update my address.",
        "Hello, I'd like to change the billing address on my account.",
    ),
    "address.ask": ("Of course. What's the new address?", "Congratulations on the move! What's the new address?"),
    "address.new": ("It's {new_address}.", "Sure, it's {new_address}."),
    "address.confirm": ("Got it. So that's {new_address}, correct?", "Let me confirm. {new_address}?"),
    "address.yes": ("Yes, that's correct.", "That's right."),
    "address.done": (
        "Alright, I've updated the billing and shipping address on your account. Your old address, {address}, has been removed.",
        "All done. Your next bill will go to the new address.",
    ),
    "address.thanks": ("Great, thank you.", "Perfect, thanks."),
    "tech.intro": (
        "Hi, my internet has been down since this morning. Nothing's working.",
        "My phone keeps dropping calls, like every five minutes.",
        "Hi, the Wi-Fi keeps disconnecting and I work from home, so this is a real problem.",
    ),
    "tech.sorry": (
        "I'm sorry about that. Let me run a quick line test.",
        "I'm sorry you're dealing with that. Let me check the connection from my end.",
    ),
    "tech.result": (
        "Okay, I can see your {device} is online, but the signal is weak. Could you restart it for me? Unplug it for "
        "about thirty seconds and then plug it back in.",
        "It looks like your {device} hasn't picked up the latest update. Can you turn it off, wait thirty seconds, "
        "and turn it back on?",
    ),
    "tech.wait": ("Okay, hold on.", "Sure, one second."),
    "tech.back": ("Okay, it's back on. The lights are green now.", "Alright, it's restarted."),
    "tech.check": ("Great. Can you try loading a web page for me?", "Okay, can you try it now?"),
    "tech.fixed": ("Yes, it's working now. Thanks.", "Oh, there it goes. That fixed it."),
    "tech.notfixed": ("No, still nothing.", "No, it's still not working."),
    "tech.ticket": (
        "Okay. I'm going to open a ticket and schedule a technician visit. Your ticket number is {ticket}.",
        "I'll open a repair ticket for you, number {ticket}. A technician will call you within forty-eight hours.",
    ),
    "tech.external": (
        "This looks like a hardware fault with the device itself. I'm going to transfer you to our repair partner, "
        "{partner}. They'll take it from here.",
    ),
    "tech.ok": ("Okay, thank you.", "Alright."),
    "complaint.intro": (
        "This is the third time I'm calling about this. My bill is wrong again, and nobody has fixed it.",
        "I've been waiting two weeks for a refund that you promised me. This is ridiculous.",
    ),
    "complaint.sorry": (
        "I'm very sorry for the trouble, {cust_first}. Let me take a look.",
        "I apologize for that. Let me see what happened.",
    ),
    "complaint.found": (
        "I can see the notes from your previous calls. It looks like the credit was never applied.",
        "I see the refund was approved, but it was never processed.",
    ),
    "complaint.angry": (
        "Of course it wasn't. I've wasted hours on this. I want to speak to a supervisor.",
        "That's unacceptable. Can I talk to your manager, please?",
    ),
    "complaint.transfer": (
        "I completely understand. Let me transfer you to my supervisor, who can authorize the credit. Please stay on the line.",
        "Of course. I'm transferring you to my team lead now. One moment, please.",
    ),
    "complaint.callback": (
        "I understand. I'll escalate this to my supervisor, and someone will call you back within twenty-four hours.",
    ),
    "complaint.fix": (
        "You're right, and I'm sorry. I've applied the credit of {credit} myself, and I've escalated the case so it's tracked.",
    ),
    "complaint.ok": ("Fine.", "Okay. I'll wait."),
    "plan.intro": (
        "Hi, I'm thinking about upgrading my plan. What options do I have?",
        "Hi, I keep running out of data every month. Is there a bigger plan?",
    ),
    "plan.outbound": (
        "I'm calling because you qualify for an upgrade to the {new_plan} at no extra cost for the first three months.",
    ),
    "plan.outbound_reply": ("Oh, okay. What's included?",),
    "plan.offer": (
        "Sure! You're currently on the {plan}. The {new_plan} gives you unlimited data for {price} a month.",
    ),
    "plan.accept": ("That sounds good. Let's do that.", "Okay, let's switch."),
    "plan.think": ("Let me think about it. I'll call back.", "I need to talk to my wife first."),
    "plan.done": ("Done! The {new_plan} will start on your next billing cycle.",),
    "plan.later": ("No problem. I'll email you the details at {email} so you can compare.",),
    "another.ask": (
        "Actually, while I have you, I have another question.",
        "Oh, and one more thing, if you don't mind.",
        "Sorry, before you go, can I ask about something else?",
    ),
    "another.ok": ("Of course, go ahead.", "Sure, what else can I help with?", "No problem at all."),
    "notes.take": (
        "Let me just add a note to your account about today's call.",
        "Give me one second, I'm just updating your account notes.",
    ),
    "notes.done": ("Okay, that's all noted.", "Alright, all done on my end."),
    "check.ask": (
        "I want to double-check that with my supervisor. It may take a few minutes. Is it okay if I put you on hold?",
        "Let me confirm that with our billing team. Do you mind holding for a couple of minutes?",
    ),
    "check.ok": ("Sure, that's fine.", "Okay, no problem."),
    "check.back": ("Thank you so much for your patience.", "Thanks for holding, I appreciate your patience."),
    # Chat wordings where the call wording would be wrong.
    "billing.intro@chat": (
        "Hi, I have a question about my bill. It's {amount} this month, and it's usually around {usual_amount}.",
        "Hello. I was charged {amount} on my last statement. I think I've been charged twice.",
    ),
    "complaint.intro@chat": (
        "This is the third time I'm contacting you about this. My bill is wrong again, and nobody has fixed it.",
        "I've been waiting two weeks for a refund that you promised me. This is ridiculous.",
    ),
    "plan.think@chat": ("Let me think about it. I'll get back to you.",),
}

LINES_JA: dict[str, tuple[str, ...]] = {
    "greet.voice": (
        "お電話ありがとうございます。{company}カスタマーセンターの{agent}でございます。",
        "お電話ありがとうございます。{company}、担当の{agent}が承ります。",
        "お待たせいたしました。{company}カスタマーセンター、{agent}でございます。",
    ),
    "greet.voice_casual": ("はい、{company}です。", "お電話ありがとうございます。"),
    "greet.chat": (
        "{company}へのお問い合わせありがとうございます。担当の{agent}です。ご用件をお伺いいたします。",
        "お問い合わせいただきありがとうございます。{agent}が担当いたします。どのようなご用件でしょうか。",
    ),
    "greet.chat_casual": ("こんにちは、{agent}です。",),
    "outbound.open": (
        "お忙しいところ恐れ入ります。{company}の{agent}と申しますが、{cust_last}様のお電話でよろしいでしょうか。",
        "私、{company}カスタマーセンターの{agent}と申します。{cust_full}様はいらっしゃいますでしょうか。",
    ),
    "outbound.confirm": ("はい、そうです。", "はい、{cust_last}です。", "はい、本人ですが。"),
    "outbound.intro": (
        "ありがとうございます。本日はご契約の件でご連絡いたしました。今、少しお時間よろしいでしょうか。",
        "いつもご利用いただきありがとうございます。ご契約内容について、ご案内がありお電話いたしました。",
    ),
    "outbound.ok": ("はい、大丈夫です。", "はい、どうぞ。", "はい。"),
    "callback.open": (
        "{company}の{agent}でございます。先ほどお電話をいただいた件で、折り返しご連絡いたしました。{cust_last}様でいらっしゃいますか。",
        "お世話になっております。{company}です。コールバックのご予約をいただいておりました{cust_full}様でしょうか。",
    ),
    "callback.confirm": ("はい、そうです。お待ちしていました。", "はい。折り返しありがとうございます。"),
    "followup.open": (
        "お電話代わりました。責任者の{agent}でございます。このたびは大変ご迷惑をおかけしており、誠に申し訳ございません。",
        "お待たせいたしました。担当責任者の{agent}と申します。これまでの経緯は伺っております。",
    ),
    "followup.demand": ("それで、今回はちゃんと直してもらえるんですか。", "もう何度も同じ説明をしているんですよ。"),
    "followup.fix": (
        "はい。{credit}をご返金させていただき、今後同じことが起きないよう、ご契約に注意事項を登録いたしました。",
        "誤って請求された{amount}を取り消し、お詫びとして{credit}を次回のご請求から差し引かせていただきます。",
    ),
    "followup.confirm": (
        "手続き完了のご案内を、ご登録のメールアドレスにお送りいたします。",
        "次回のご請求は、私のほうでも確認させていただきます。",
    ),
    "followup.ok_pos": ("わかりました。ご対応ありがとうございます。", "ありがとうございます。それなら安心しました。"),
    "followup.ok_mixed": ("わかりました。今後はちゃんとしてくださいね。",),
    "verify.ask_name": (
        "かしこまりました。ご本人様確認のため、ご契約者様のお名前をフルネームでお願いいたします。",
        "恐れ入りますが、ご契約者様のお名前をお伺いしてもよろしいでしょうか。",
        "お調べいたしますので、ご契約者様のお名前をお願いできますでしょうか。",
    ),
    "verify.name": ("{cust_full}です。", "{cust_full}と申します。", "{cust_last}です。{cust_full}です。"),
    "verify.ask_phone": (
        "{cust_last}様でいらっしゃいますね。ご登録のお電話番号もお願いいたします。",
        "ありがとうございます。ご契約のお電話番号をお願いできますでしょうか。",
    ),
    "verify.phone": ("{phone}です。", "えっと、{phone}です。"),
    "verify.ask_dob": (
        "念のため、生年月日もお願いできますでしょうか。",
        "恐れ入りますが、生年月日もお伺いできますか。",
    ),
    "verify.dob": ("{dob}です。",),
    "verify.lookup": (
        "ありがとうございます。確認いたしますので、少々お待ちいただけますでしょうか。",
        "お調べいたします。このまま少々お待ちください。",
    ),
    "verify.back": (
        "大変お待たせいたしました。{cust_last}様のご契約を確認いたしました。",
        "お待たせいたしました。ご契約内容を確認できました。",
    ),
    "verify.found": ("ありがとうございます。ご契約を確認いたしました。", "{cust_last}様、ご確認ありがとうございます。"),
    "closing.anything": ("ほかに何かご不明な点はございますでしょうか。", "そのほか、ご質問などはございませんか。"),
    "closing.no_pos": (
        "いえ、大丈夫です。ありがとうございました。",
        "特にないです。丁寧にありがとうございました。",
        "大丈夫です。助かりました。",
    ),
    "closing.no_neu": ("いえ、大丈夫です。", "特にないです。"),
    "closing.no_neg": (
        "ありません。ちゃんと対応してくださいね。",
        "もういいです。二度と電話しなくて済むようにしてください。",
    ),
    "closing.bye": (
        "本日はお電話いただき、誠にありがとうございました。{agent}が承りました。失礼いたします。",
        "ありがとうございました。{company}の{agent}でした。失礼いたします。",
    ),
    "closing.bye_chat": (
        "お問い合わせいただきありがとうございました。またのご利用をお待ちしております。",
        "{cust_last}様、本日はありがとうございました。",
    ),
    "closing.bye_outbound": (
        "お忙しいところ、ありがとうございました。{company}の{agent}でした。失礼いたします。",
        "本日はお時間をいただき、ありがとうございました。失礼いたします。",
    ),
    "closing.bye_customer": ("失礼します。", "はい、失礼します。", "ありがとうございました。"),
    "billing.intro": (
        "あの、今月の請求額が{amount}になっていて、いつもより高いんですけど、どうしてでしょうか。",
        "クレジットカードで二重に引き落とされているみたいなんですが。",
        "請求書を見たら{amount}になっていて、いつもは{usual_amount}くらいなんです。",
    ),
    "billing.outbound": (
        "{date}のお支払いにつきまして、{amount}が二重に請求されていることがわかりましたので、ご連絡いたしました。",
    ),
    "billing.outbound_reply": ("え、そうなんですか。気づきませんでした。", "そうなんですか。どうなるんでしょう。"),
    "billing.explain": (
        "確認いたしましたところ、{date}に海外でのデータ通信料が発生しております。",
        "確認いたしましたところ、{date}のお支払いが二重に処理されておりました。大変申し訳ございません。",
        "先月で割引キャンペーンの適用期間が終了したため、ご請求額が上がっております。",
    ),
    "billing.react_neg": ("海外なんて行ってないですよ。", "そんな説明、聞いていないんですけど。"),
    "billing.react_neu": ("じゃあ、返金してもらえるんですか。", "そうですか。何か対応してもらえますか。"),
    "billing.fix": (
        "ご不便をおかけして申し訳ございません。{credit}を次回のご請求から差し引く形で対応させていただきます。",
        "二重に請求された分の{credit}は、ご返金の手続きをいたしました。",
        "割引を元に戻すことはできかねますが、今回に限り{credit}を返金させていただきます。",
    ),
    "billing.when": (
        "次回のご請求書に反映されますので、ご確認ください。",
        "カード会社経由のご返金となりますので、反映まで数日かかる場合がございます。",
    ),
    "billing.thanks": ("わかりました。よろしくお願いします。", "よかったです。ありがとうございます。"),
    "billing.email": ("手続き完了のご案内を、{email}宛てにお送りいたします。", "詳細はメールでもお送りいたします。"),
    "card.intro_neu": ("クレジットカードの有効期限が切れてしまったので、支払い方法を変更したいんですが。",),
    "card.intro_neg": ("支払いができなかったというお知らせが来て、延滞料がかかっているみたいなんですけど。",),
    "card.outbound": ("{date}の自動引き落とし{amount}が、カード会社の承認が下りずお支払いいただけていない状況です。",),
    "card.outbound_reply": ("あ、カードの期限が切れていたかもしれません。新しいカードに変えられますか。",),
    "card.ask": (
        "かしこまりました。新しいカード番号をお願いいたします。",
        "それでは、新しいクレジットカードの番号をお伺いしてもよろしいでしょうか。",
    ),
    "card.number": ("{card}です。", "はい、{card}です。"),
    "card.ask_exp": ("ありがとうございます。有効期限もお願いいたします。",),
    "card.exp": ("{expiry}です。",),
    "card.readback": ("復唱いたします。末尾{card_last4}、有効期限{expiry}のカードでお間違いないでしょうか。",),
    "card.yes": ("はい、合っています。", "はい。"),
    "card.done": (
        "ありがとうございます。お支払い方法の変更が完了いたしました。未払いの{amount}も、こちらのカードで決済させていただきました。",
        "変更が完了いたしました。{amount}のお支払いも確認できております。",
    ),
    "card.fee": ("今回は延滞料を免除させていただきます。",),
    "card.thanks": ("ありがとうございます。助かりました。", "よかった。ありがとうございます。"),
    "cancel.intro": (
        "すみません、契約を解約したいのですが。",
        "{plan}を解約したいんですけど。",
        "あの、解約の手続きをお願いしたいんですが。",
    ),
    "cancel.ack": ("解約のお手続きでございますね。かしこまりました。", "解約をご希望とのこと、承知いたしました。"),
    "cancel.ask_reason": (
        "差し支えなければ、解約の理由をお伺いしてもよろしいでしょうか。",
        "今後の参考にさせていただきたいので、解約のご理由をお聞かせいただけますか。",
    ),
    "cancel.reason_price": (
        "他社のほうが料金が安いので、乗り換えようと思っていまして。",
        "毎月{amount}も払っていて、正直高いなと思って。",
    ),
    "cancel.reason_move": (
        "来月から海外に転勤になるので、使わなくなるんです。",
        "実家に戻ることになって、回線がいらなくなったので。",
    ),
    "cancel.reason_quality": (
        "最近、電波がつながりにくくて不満なんです。",
        "通信速度が遅すぎて、仕事にならないんですよ。",
    ),
    "cancel.offer": (
        "さようでございますか。現在、長くご利用いただいているお客様向けに、12か月間、毎月{discount}割引になるキャンペーンを"
        "ご案内しているのですが、いかがでしょうか。",
        "もしよろしければ、このままご継続いただく場合、1年間{discount}をお値引きすることができますが、いかがでしょうか。",
    ),
    "cancel.accept": (
        "そうなんですか。それなら、もう少し続けてみます。",
        "え、そんなに安くなるんですか。じゃあ続けます。",
    ),
    "cancel.kept": (
        "ありがとうございます。次回のご請求から割引を適用いたします。",
        "かしこまりました。割引の適用手続きが完了いたしました。",
    ),
    "cancel.decline": (
        "いえ、もう決めたので、解約でお願いします。",
        "ありがたいんですけど、やっぱり解約でお願いします。",
    ),
    "cancel.done": (
        "承知いたしました。解約のお手続きを承りました。{end_date}までは引き続きご利用いただけます。",
        "解約のお手続きが完了いたしました。{end_date}をもちましてご契約終了となります。",
    ),
    "cancel.email": (
        "解約完了のご案内は、ご登録のメールアドレスにお送りいたします。",
        "最終のご請求書は、後日郵送にてお送りいたします。",
    ),
    "cancel.ok": ("はい、わかりました。", "お願いします。"),
    "address.intro": ("引っ越したので、住所の変更をお願いしたいのですが。", "請求書の送付先を変更したいんですけど。"),
    "address.ask": (
        "かしこまりました。新しいご住所をお願いいたします。",
        "承知いたしました。お引っ越し先のご住所をお伺いできますでしょうか。",
    ),
    "address.new": ("{new_address}です。", "えっと、{new_address}です。"),
    "address.confirm": ("復唱いたします。{new_address}でお間違いないでしょうか。",),
    "address.yes": ("はい、合っています。", "はい。"),
    "address.done": (
        "ご住所の変更を承りました。来月から、請求書は新しいご住所にお送りいたします。",
        "変更が完了いたしました。以前のご住所、{address}は削除いたしました。",
    ),
    "address.thanks": ("ありがとうございます。", "助かります。ありがとうございます。"),
    "tech.intro": (
        "昨日からインターネットにつながらないんです。",
        "スマホの通話がすぐ切れてしまうんですけど。",
        "家のWi-Fiが何度も切れて、在宅勤務なので本当に困っているんです。",
    ),
    "tech.sorry": (
        "ご不便をおかけしており申し訳ございません。回線の状態を確認いたしますので、少々お待ちください。",
        "大変申し訳ございません。こちらで接続状況を確認いたします。",
    ),
    "tech.result": (
        "お待たせいたしました。{device}の電源を一度抜いて、30秒ほどしてから差し直していただけますでしょうか。",
        "{device}の再起動をお願いできますでしょうか。電源を切って、30秒ほどお待ちください。",
    ),
    "tech.wait": ("はい、ちょっと待ってください。", "わかりました。"),
    "tech.back": ("ランプが緑になりました。", "再起動しました。"),
    "tech.check": (
        "ありがとうございます。ホームページは表示されますでしょうか。",
        "では、もう一度お試しいただけますか。",
    ),
    "tech.fixed": ("あ、つながりました。ありがとうございます。", "直りました。よかったです。"),
    "tech.notfixed": ("まだだめですね。", "やっぱりつながらないです。"),
    "tech.ticket": (
        "それでは、技術担当者の訪問を手配いたします。受付番号は{ticket}です。",
        "修理の受付をいたしました。受付番号は{ticket}です。2日以内に担当者からご連絡いたします。",
    ),
    "tech.external": ("端末本体の故障の可能性がございますので、修理窓口の{partner}におつなぎいたします。",),
    "tech.ok": ("わかりました。お願いします。", "はい。"),
    "complaint.intro": (
        "もう三回目なんですよ。毎回同じことを説明しているのに、全然直っていないじゃないですか。",
        "返金すると言われてから二週間経っても、まだ返金されていないんですけど。",
    ),
    "complaint.sorry": (
        "大変ご迷惑をおかけしており、誠に申し訳ございません。すぐにお調べいたします。",
        "ご不快な思いをおかけして申し訳ございません。",
    ),
    "complaint.found": (
        "前回の対応記録を確認いたしました。返金の処理が完了していなかったようです。",
        "確認いたしましたところ、割引の登録が漏れておりました。",
    ),
    "complaint.angry": ("話にならないので、責任者の方に代わってもらえますか。", "上の人を出してください。"),
    "complaint.transfer": (
        "かしこまりました。ただいま責任者におつなぎいたしますので、このままお待ちください。",
        "承知いたしました。責任者に代わりますので、少々お待ちください。",
    ),
    "complaint.callback": ("かしこまりました。責任者より、24時間以内に折り返しご連絡いたします。",),
    "complaint.fix": ("おっしゃるとおりです。申し訳ございません。{credit}の返金を私のほうで手続きいたしました。",),
    "complaint.ok": ("お願いします。", "はあ、わかりました。"),
    "plan.intro": (
        "今のプランから、もう少しデータ量の多いプランに変えたいんですが。",
        "毎月データが足りなくなるので、プランを見直したいんです。",
    ),
    "plan.outbound": ("現在ご利用の{plan}から、{new_plan}へ3か月間無料でお試しいただけるキャンペーンのご案内です。",),
    "plan.outbound_reply": ("へえ、そうなんですか。どんな内容ですか。",),
    "plan.offer": (
        "ありがとうございます。現在は{plan}をご利用ですね。{new_plan}でしたら、月額{price}でデータ容量無制限でご利用いただけます。",
    ),
    "plan.accept": ("じゃあ、それでお願いします。", "いいですね。変更します。"),
    "plan.think": ("ちょっと考えてみます。", "家族と相談してから決めます。"),
    "plan.done": ("かしこまりました。来月1日から{new_plan}に変更いたします。",),
    "plan.later": ("承知いたしました。詳しいご案内をメールでお送りいたしますので、ご検討ください。",),
    "another.ask": (
        "あと、もう一つお伺いしたいことがあるんですが。",
        "ついでに、別の件でもお聞きしてもいいですか。",
    ),
    "another.ok": ("はい、どうぞ。", "はい、何でしょうか。", "もちろんでございます。"),
    "notes.take": (
        "本日のご対応内容を記録いたしますので、少々お待ちください。",
        "ただいま、お手続きの内容を登録しております。",
    ),
    "notes.done": ("お待たせいたしました。登録が完了いたしました。", "ありがとうございます。記録いたしました。"),
    "check.ask": (
        "念のため、担当部署に確認いたします。少しお時間をいただきますが、保留にさせていただいてもよろしいでしょうか。",
        "上の者に確認してまいりますので、少々お待ちいただけますでしょうか。",
    ),
    "check.ok": ("はい、大丈夫です。", "はい、お願いします。"),
    "check.back": ("大変長らくお待たせいたしました。", "お待たせして申し訳ございません。確認が取れました。"),
}

# Short listener responses that overlap the other party's long turns on a call.
BACKCHANNELS = {
    EN_US: {AGENT: ("Mhm.", "Okay.", "Right.", "I see."), CUSTOMER: ("Mhm.", "Okay.", "Yeah.", "Uh huh.", "Right.")},
    JA_JP: {
        AGENT: ("はい。", "さようでございますか。", "はい、はい。"),
        CUSTOMER: ("はい。", "ええ。", "はい、はい。", "うん。"),
    },
}


# ---------------------------------------------------------------------------------------
# Rendering lines into turns whose personal data is marked.
# ---------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=4096)
def _compile(template: str) -> tuple[tuple[str, bool], ...]:
    """Template → ((literal, False) | (slot name, True), ...); compiled once per wording."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for match in _SLOT.finditer(template):
        if match.start() > pos:
            pieces.append((template[pos : match.start()], False))
        pieces.append((match.group(1), True))
        pos = match.end()
    if pos < len(template):
        pieces.append((template[pos:], False))
    return tuple(pieces)


class Turn:
    """One utterance: its text in pieces (text, is_pii) plus timing filled in later."""

    __slots__ = (
        "role",
        "parts",
        "text",
        "has_pii",
        "sentiment",
        "tags",
        "hold_after_ms",
        "pause_after_ms",
        "begin",
        "end",
    )

    def __init__(self, role: str, parts: tuple[tuple[str, bool], ...], sentiment: str, tags: tuple[str, ...] = ()):
        self.role = role
        self.parts = parts
        self.text = parts[0][0] if len(parts) == 1 else "".join(p for p, _ in parts)
        self.has_pii = len(parts) > 1 or parts[0][1]
        self.sentiment = sentiment
        self.tags = tags
        self.hold_after_ms = 0
        self.pause_after_ms = 0
        self.begin = 0
        self.end = 0

    def pii_spans(self) -> list[tuple[int, int]]:
        """Character spans of personal data in the original text."""
        spans, pos = [], 0
        for text, pii in self.parts:
            if pii:
                spans.append((pos, pos + len(text)))
            pos += len(text)
        return spans

    def redacted(self) -> tuple[str, list[tuple[int, int]]]:
        """The text with each personal-data span replaced by `[PII]`, and the spans of those markers."""
        out, spans, pos = [], [], 0
        for text, pii in self.parts:
            if pii:
                out.append("[PII]")
                spans.append((pos, pos + 5))
                pos += 5
            else:
                out.append(text)
                pos += len(text)
        return "".join(out), spans


def render(template: str, slots: dict[str, str]) -> tuple[tuple[str, bool], ...]:
    parts: list[tuple[str, bool]] = []
    literal = ""
    for piece, is_slot in _compile(template):
        if not is_slot:
            literal += piece
        elif piece in PII_SLOTS:
            if literal:
                parts.append((literal, False))
                literal = ""
            parts.append((slots[piece], True))
        else:
            literal += slots[piece]
    if literal or not parts:
        parts.append((literal, False))
    return tuple(parts)


# ---------------------------------------------------------------------------------------
# Scenarios.
# ---------------------------------------------------------------------------------------


class Script:
    """Builds the turns of one dialogue; the scenario functions below drive it."""

    def __init__(self, rng: random.Random, language: str, voice: bool, slots: dict[str, str]):
        self.rng = rng
        self.language = language
        self.voice = voice
        self.slots = slots
        self.lines = LINES_JA if language == JA_JP else LINES_EN
        self.turns: list[Turn] = []
        self.verified = False
        self.drop_hello = False  # the customer's next line continues the call, no "Hi," again

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def say(self, role: str, key: str, sentiment: str = NEUTRAL, *tags: str) -> Turn:
        variants = self.lines[key] if self.voice else self.lines.get(key + "@chat") or self.lines[key]
        template = variants[0] if len(variants) == 1 else pick(self.rng, variants)
        parts = render(template, self.slots)
        if self.drop_hello and role == CUSTOMER:
            self.drop_hello = False
            parts = _without_hello(parts)
        turn = Turn(role, parts, sentiment, tags)
        self.turns.append(turn)
        return turn

    def a(self, key: str, sentiment: str = NEUTRAL, *tags: str) -> Turn:
        return self.say(AGENT, key, sentiment, *tags)

    def c(self, key: str, sentiment: str = NEUTRAL, *tags: str) -> Turn:
        return self.say(CUSTOMER, key, sentiment, *tags)

    def hold(self, low_ms: int = 12_000, high_ms: int = 75_000) -> None:
        """The customer is put on hold after the last line (calls only)."""
        if self.voice and self.turns:
            self.turns[-1].hold_after_ms = between(self.rng, low_ms, high_ms)

    def pause(self, low_ms: int, high_ms: int) -> None:
        """Dead air after the last line (calls only), e.g. while a router restarts."""
        if self.voice and self.turns:
            self.turns[-1].pause_after_ms = between(self.rng, low_ms, high_ms)


_HELLO = re.compile(r"^(?:Yeah, hi\. |Hi, |Hello, |Hi\. |Yes, hello\. )")


def _without_hello(parts: tuple[tuple[str, bool], ...]) -> tuple[tuple[str, bool], ...]:
    first, pii = parts[0]
    stripped = _HELLO.sub("", first) if not pii else first
    if stripped == first or not stripped:
        return parts
    return ((stripped[0].upper() + stripped[1:], False), *parts[1:])


def _verify(s: Script) -> None:
    if s.verified:
        return
    s.verified = True
    s.a("verify.ask_name")
    s.c("verify.name")
    s.a("verify.ask_phone")
    s.c("verify.phone")
    if s.chance(0.35):
        s.a("verify.ask_dob")
        s.c("verify.dob")
    if s.voice and s.chance(0.7):
        s.a("verify.lookup")
        s.hold(6_000, 35_000)
        s.a("verify.back")
    else:
        s.a("verify.found")


def _billing(s: Script, mode: str) -> None:
    if mode == "outbound":
        s.a("billing.outbound", NEUTRAL, "issue", "cat:PaymentIssue")
        s.c("billing.outbound_reply")
    else:
        s.c("billing.intro", NEGATIVE, "issue", "cat:PaymentIssue")
        _verify(s)
        s.a("billing.explain")
        if s.chance(0.55):
            s.c("billing.react_neg", NEGATIVE, "cat:Complaint")
        else:
            s.c("billing.react_neu")
    s.a("billing.fix", NEUTRAL, "outcome")
    s.a("billing.when")
    s.c("billing.thanks", POSITIVE)
    if s.chance(0.5):
        s.a("billing.email", NEUTRAL, "action")


def _card_update(s: Script, mode: str) -> None:
    late_fee = False
    if mode == "outbound":
        s.a("card.outbound", NEUTRAL, "issue", "cat:PaymentIssue")
        s.c("card.outbound_reply")
    else:
        late_fee = s.chance(0.4)
        s.c(
            "card.intro_neg" if late_fee else "card.intro_neu",
            NEGATIVE if late_fee else NEUTRAL,
            "issue",
            "cat:PaymentIssue",
        )
        _verify(s)
    s.a("card.ask")
    s.c("card.number")
    s.a("card.ask_exp")
    s.c("card.exp")
    s.a("card.readback")
    s.c("card.yes")
    s.a("card.done", POSITIVE, "outcome")
    if late_fee:
        s.a("card.fee", POSITIVE, "outcome")
    s.c("card.thanks", POSITIVE)


def _cancellation(s: Script, mode: str) -> None:
    s.c("cancel.intro", NEGATIVE, "issue", "cat:Cancellation")
    s.a("cancel.ack")
    _verify(s)
    s.a("cancel.ask_reason")
    reason = pick(s.rng, ("price", "price", "move", "quality"))
    if reason == "quality":
        s.c("cancel.reason_quality", NEGATIVE, "cat:Complaint")
    else:
        s.c(f"cancel.reason_{reason}", NEGATIVE if reason == "price" else NEUTRAL)
    if reason != "move" and s.chance(0.7):
        s.a("cancel.offer", NEUTRAL, "cat:Retention")
        if s.chance(0.45):
            s.c("cancel.accept", POSITIVE)
            s.a("cancel.kept", POSITIVE, "outcome")
            return
        s.c("cancel.decline")
    s.a("cancel.done", NEUTRAL, "outcome")
    s.a("cancel.email", NEUTRAL, "action")
    s.c("cancel.ok")


def _address_change(s: Script, mode: str) -> None:
    s.c("address.intro", NEUTRAL, "cat:AddressChange")
    _verify(s)
    s.a("address.ask", POSITIVE if s.language == EN_US else NEUTRAL)
    s.c("address.new")
    s.a("address.confirm")
    s.c("address.yes")
    s.a("address.done", NEUTRAL, "outcome")
    s.c("address.thanks", POSITIVE)


def _tech_support(s: Script, mode: str, external: bool = False) -> None:
    s.c("tech.intro", NEGATIVE, "issue", "cat:TechnicalIssue")
    _verify(s)
    s.a("tech.sorry")
    s.hold(8_000, 40_000)
    if external:
        s.a("tech.external", NEUTRAL, "action")
        s.c("tech.ok")
        return
    s.a("tech.result")
    s.c("tech.wait")
    s.pause(15_000, 45_000)
    s.c("tech.back")
    s.a("tech.check")
    if s.chance(0.6):
        s.c("tech.fixed", POSITIVE, "outcome")
    else:
        s.c("tech.notfixed", NEGATIVE)
        s.a("tech.ticket", NEUTRAL, "outcome", "action")
        s.c("tech.ok")


def _complaint(s: Script, mode: str, transfer: bool = False) -> None:
    s.c("complaint.intro", NEGATIVE, "issue", "cat:Complaint")
    s.a("complaint.sorry", NEGATIVE)
    _verify(s)
    s.a("complaint.found", NEGATIVE)
    if transfer or s.chance(0.5):
        s.c("complaint.angry", NEGATIVE, "cat:Escalation")
        s.a("complaint.transfer" if transfer else "complaint.callback", NEUTRAL, "action")
    else:
        s.a("complaint.fix", NEUTRAL, "outcome")
    s.c("complaint.ok", NEGATIVE)


def _plan_change(s: Script, mode: str) -> None:
    if mode == "outbound":
        s.a("plan.outbound", POSITIVE, "cat:Upsell")
        s.c("plan.outbound_reply")
    else:
        s.c("plan.intro", POSITIVE, "cat:Upsell")
        _verify(s)
    s.a("plan.offer", POSITIVE)
    if s.chance(0.7):
        s.c("plan.accept", POSITIVE)
        s.a("plan.done", POSITIVE, "outcome")
    else:
        s.c("plan.think")
        s.a("plan.later", NEUTRAL, "action")


_SCENARIOS = {
    "billing": _billing,
    "card_update": _card_update,
    "cancellation": _cancellation,
    "address_change": _address_change,
    "tech_support": _tech_support,
    "complaint": _complaint,
    "plan_change": _plan_change,
}


def _opening(s: Script, mode: str) -> None:
    if mode == "outbound":
        s.a("outbound.open")
        s.c("outbound.confirm")
        s.a("outbound.intro", NEUTRAL, "cat:Greeting")
        s.c("outbound.ok")
    elif mode == "callback":
        s.a("callback.open", NEUTRAL, "cat:Greeting")
        s.c("callback.confirm", POSITIVE)
    elif mode == "followup":
        s.a("followup.open", NEUTRAL, "cat:Greeting")
    else:
        channel = "voice" if s.voice else "chat"
        if s.chance(0.88):
            s.a(f"greet.{channel}", POSITIVE if s.chance(0.3) else NEUTRAL, "cat:Greeting")
        else:
            s.a(f"greet.{channel}_casual")


def _closing(s: Script, mood: str, mode: str = "inbound") -> None:
    s.a("closing.anything")
    if mood == NEGATIVE:
        s.c("closing.no_neg", NEGATIVE)
    elif mood == POSITIVE:
        s.c("closing.no_pos", POSITIVE)
    else:
        s.c("closing.no_neu")
    if not s.voice:
        s.a("closing.bye_chat", POSITIVE)
    else:
        s.a("closing.bye_outbound" if mode in ("outbound", "callback") else "closing.bye", POSITIVE)
    if s.voice and s.chance(0.6):
        s.c("closing.bye_customer", NEUTRAL)


def build_dialogue(
    rng: random.Random,
    language: str,
    voice: bool,
    topic: str,
    slots: dict[str, str],
    mode: str = "inbound",
    transfer: str | None = None,
) -> list[Turn]:
    """The turns of one conversation, untimed.

    mode: inbound | outbound | callback | followup (a supervisor after a transfer).
    transfer: None | "agent" (escalated to a supervisor) | "external" (handed to a partner number).
    """
    s = Script(rng, language, voice, slots)
    _opening(s, mode)
    if mode == "followup":
        s.c("followup.demand", NEGATIVE, "cat:Complaint")
        s.a("followup.fix", NEUTRAL, "outcome")
        s.a("followup.confirm", NEUTRAL, "action")
        mixed = s.chance(0.35)
        s.c("followup.ok_mixed" if mixed else "followup.ok_pos", MIXED if mixed else POSITIVE)
        _closing(s, NEUTRAL if mixed else POSITIVE)
        return s.turns
    if transfer == "agent":
        _complaint(s, mode, transfer=True)
        return s.turns
    if transfer == "external":
        _tech_support(s, mode, external=True)
        return s.turns
    _SCENARIOS[topic](s, mode)
    if voice and s.chance(0.15):
        # A long hold while the agent checks with someone: the long tail of call lengths.
        s.a("check.ask")
        s.c("check.ok")
        s.hold(40_000, 150_000)
        s.a("check.back", POSITIVE)
    done = {topic, "complaint", "cancellation"}
    extra = 0
    while mode != "outbound" and len(done) < len(TOPICS) and s.chance(0.45 if voice and not extra else 0.2):
        extra += 1
        # "While I have you...": another, unrelated request in the same contact.
        s.c("another.ask")
        s.a("another.ok")
        s.drop_hello = True
        next_topic = pick(rng, [t for t in TOPICS if t not in done])
        done.add(next_topic)
        _SCENARIOS[next_topic](s, mode)
    if voice and s.chance(0.5):
        s.a("notes.take")
        s.pause(5_000, 25_000)
        s.a("notes.done")
    last_customer = next((t.sentiment for t in reversed(s.turns) if t.role == CUSTOMER), NEUTRAL)
    _closing(s, last_customer if last_customer != MIXED else NEUTRAL, mode)
    return s.turns


# ---------------------------------------------------------------------------------------
# Timing: when each turn is spoken (calls) or sent (chats).
# ---------------------------------------------------------------------------------------


@dataclass
class VoiceTimeline:
    turns: list[Turn]  # including listener backchannels, ordered by begin
    duration_ms: int
    holds: list[tuple[int, int]]
    interruptions: list[tuple[str, int, int]]  # (interrupter, begin, end)


def perform_voice(turns: list[Turn], rng: random.Random, language: str) -> VoiceTimeline:
    """Lay the turns out on a time line: natural gaps, holds, dead air, overlaps."""
    rand = rng.random
    japanese = language == JA_JP
    backchannels = BACKCHANNELS[language]
    out: list[Turn] = []
    holds: list[tuple[int, int]] = []
    interruptions: list[tuple[str, int, int]] = []
    last_end = {AGENT: 0, CUSTOMER: 0}
    cursor = 300 + int(rand() * 2200)
    prev: Turn | None = None
    for turn in turns:
        # Polite Japanese runs at roughly 7-9 morae a second, English at 150-200 words a minute.
        if japanese:
            duration = len(turn.text) * (125 + int(rand() * 36)) + 250
        else:
            duration = (turn.text.count(" ") + 1) * (330 + int(rand() * 101)) + 250
            if turn.has_pii:  # numbers are read out digit by digit
                duration += sum(map(str.isdigit, turn.text)) * 230
        overlap_p = 0.15 if turn.sentiment == NEGATIVE else 0.05
        if prev is not None and prev.role != turn.role and prev.end - prev.begin > 2000 and rand() < overlap_p:
            begin = prev.end - 300 - int(rand() * (min(1500, (prev.end - prev.begin) // 2) - 300))
            interruptions.append((turn.role, begin, prev.end))
        else:
            begin = cursor + 150 + int(rand() * 950)
            if rand() < 0.04:
                begin += 3000 + int(rand() * 4000)  # someone is typing or thinking
        floor = last_end[turn.role] + 80
        if begin < floor:
            begin = floor
        turn.begin, turn.end = begin, begin + duration
        out.append(turn)
        last_end[turn.role] = turn.end
        if prev is not None and duration > 3500 and rand() < 0.3:  # nobody says "mhm" to the greeting
            listener = CUSTOMER if turn.role == AGENT else AGENT
            b_begin = begin + duration // 3 + int(rand() * (duration - 900 - duration // 3))
            if b_begin > last_end[listener] + 80:
                back = Turn(listener, ((pick(rng, backchannels[listener]), False),), NEUTRAL)
                per_char = 110 if japanese else 55
                back.begin, back.end = b_begin, b_begin + max(280, len(back.text) * per_char) + int(rand() * 250)
                out.append(back)
                last_end[listener] = back.end
        if turn.end > cursor:
            cursor = turn.end
        if turn.hold_after_ms:
            start = cursor + 200 + int(rand() * 400)
            holds.append((start, start + turn.hold_after_ms))
            cursor = start + turn.hold_after_ms
        if turn.pause_after_ms:
            cursor += turn.pause_after_ms
        prev = turn
    out.sort(key=lambda t: t.begin)
    return VoiceTimeline(out, max(cursor, *last_end.values()) + 150 + int(rand() * 750), holds, interruptions)


def perform_chat(turns: list[Turn], rng: random.Random, language: str, start_ms: int) -> int:
    """Stamp each message with its send time (epoch ms); returns the time of the last one."""
    low, high = (150, 260) if language == JA_JP else (45, 85)  # Japanese typing goes through an IME
    now = start_ms + between(rng, 1500, 4500)
    prev_role = AGENT
    for turn in turns:
        if turn.role != prev_role:
            now += between(rng, 2000, 9000)  # reading the other side's message
        now += len(turn.text) * between(rng, low, high) // 2 + between(rng, 400, 2500)
        turn.begin = turn.end = now
        prev_role = turn.role
    return now


# ---------------------------------------------------------------------------------------
# Customers and the slot values of one call.
# ---------------------------------------------------------------------------------------

_EN_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "David",
    "Linda",
    "William",
    "Elizabeth",
    "Richard",
    "Barbara",
    "Joseph",
    "Susan",
    "Thomas",
    "Jessica",
    "Charles",
    "Sarah",
    "Christopher",
    "Karen",
    "Matthew",
    "Nancy",
    "Anthony",
    "Lisa",
    "Mark",
    "Betty",
    "Steven",
    "Sandra",
    "Paul",
    "Ashley",
    "Andrew",
    "Kimberly",
    "Joshua",
    "Donna",
    "Kevin",
    "Michelle",
    "Brian",
    "Carol",
    "George",
    "Amanda",
    "Priya",
    "Wei",
    "Carlos",
    "Fatima",
    "Diego",
    "Aisha",
    "Kenji",
    "Mei",
)
_EN_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Lewis",
    "Ramirez",
    "Hall",
    "Allen",
    "Hill",
    "Flores",
    "Nelson",
    "Mitchell",
    "Roberts",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Reed",
    "Bailey",
    "Kim",
    "Chen",
    "Singh",
    "Okafor",
    "O'Brien",
    "MacDonald",
    "Tremblay",
    "Gagnon",
    "Roy",
)
_EN_STREETS = (
    "Pine Street",
    "Maple Avenue",
    "Oak Drive",
    "Lakeview Road",
    "Cedar Lane",
    "5th Avenue",
    "Elm Street",
    "Sunset Boulevard",
    "Main Street",
    "Harbor Way",
    "Queen Anne Avenue",
    "Madison Street",
)
# (city, region, postal code prefix, telephone area code)
_EN_CITIES = (
    ("Seattle", "WA", "981", "206"),
    ("Bellevue", "WA", "980", "425"),
    ("Tacoma", "WA", "984", "253"),
    ("Portland", "OR", "972", "503"),
    ("Spokane", "WA", "992", "509"),
    ("Boise", "ID", "837", "208"),
    ("Toronto", "ON", "M5V", "416"),
    ("Mississauga", "ON", "L5B", "905"),
    ("Ottawa", "ON", "K1P", "613"),
)
_JA_LAST = (
    ("山田", "yamada"),
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("渡辺", "watanabe"),
    ("伊藤", "ito"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山本", "yamamoto"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("林", "hayashi"),
    ("斎藤", "saito"),
    ("清水", "shimizu"),
    ("山崎", "yamazaki"),
    ("森", "mori"),
    ("池田", "ikeda"),
    ("橋本", "hashimoto"),
    ("阿部", "abe"),
    ("石川", "ishikawa"),
    ("山下", "yamashita"),
    ("中島", "nakajima"),
    ("石井", "ishii"),
    ("小川", "ogawa"),
    ("前田", "maeda"),
    ("岡田", "okada"),
    ("長谷川", "hasegawa"),
    ("藤田", "fujita"),
    ("後藤", "goto"),
    ("近藤", "kondo"),
    ("村上", "murakami"),
    ("遠藤", "endo"),
    ("青木", "aoki"),
    ("坂本", "sakamoto"),
    ("西村", "nishimura"),
    ("福田", "fukuda"),
)
_JA_FIRST = (
    ("太郎", "taro"),
    ("花子", "hanako"),
    ("一郎", "ichiro"),
    ("美穂", "miho"),
    ("健一", "kenichi"),
    ("由美", "yumi"),
    ("隆", "takashi"),
    ("恵子", "keiko"),
    ("大輔", "daisuke"),
    ("真理子", "mariko"),
    ("翔", "sho"),
    ("さくら", "sakura"),
    ("陽介", "yosuke"),
    ("明美", "akemi"),
    ("誠", "makoto"),
    ("久美子", "kumiko"),
    ("浩", "hiroshi"),
    ("直美", "naomi"),
    ("拓海", "takumi"),
    ("愛子", "aiko"),
    ("蓮", "ren"),
    ("結菜", "yuina"),
    ("悠真", "yuma"),
    ("陽子", "yoko"),
    ("和夫", "kazuo"),
    ("幸子", "sachiko"),
    ("修", "osamu"),
    ("智子", "tomoko"),
    ("剛", "tsuyoshi"),
    ("裕子", "yuko"),
)
# (prefecture, city and ward, town, landline area code without the leading 0)
_JA_PLACES = (
    ("東京都", "世田谷区", "桜新町", "3"),
    ("東京都", "杉並区", "阿佐谷南", "3"),
    ("東京都", "品川区", "大井", "3"),
    ("東京都", "練馬区", "石神井町", "3"),
    ("神奈川県", "横浜市港北区", "日吉", "45"),
    ("神奈川県", "川崎市中原区", "小杉町", "44"),
    ("埼玉県", "さいたま市浦和区", "高砂", "48"),
    ("千葉県", "船橋市", "本町", "47"),
    ("大阪府", "大阪市北区", "梅田", "6"),
    ("大阪府", "豊中市", "服部元町", "6"),
    ("京都府", "京都市左京区", "北白川", "75"),
    ("兵庫県", "神戸市中央区", "元町通", "78"),
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PLANS_EN = ("Basic 5 gig plan", "Starter 2 gig plan", "Family Share plan", "Fiber 500 plan")
_UPGRADES_EN = ("Unlimited Plus plan", "Unlimited Premium plan")
_PLANS_JA = ("ライトプラン", "ギガプラン", "かぞく割プラン", "光ファイバー1ギガ")
_UPGRADES_JA = ("無制限プラン", "ギガ無制限プラン")
_DEVICES_EN = ("router", "modem", "phone")
_DEVICES_JA = ("ルーター", "モデム", "ホームルーター")
TIERS = ("bronze", "silver", "silver", "gold", "gold", "platinum")


@dataclass(frozen=True)
class Customer:
    language: str
    first: str
    last: str
    full: str
    phone_e164: str
    phone_spoken: str
    email: str
    dob: str
    card: str
    expiry: str
    address: str
    prefecture: str
    account_number: str
    tier: str


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _card_number(rng: random.Random, language: str) -> str:
    prefix = rng.choice(("4", "51", "53", "55") + (("35", "35") if language == JA_JP else ()))
    if prefix == "35":
        prefix = str(rng.randint(3528, 3589))  # JCB
    digits = [int(d) for d in prefix] + [rng.randrange(10) for _ in range(15 - len(prefix))]
    # Luhn check digit, so the numbers look like real ones to a validator.
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    digits.append((10 - total % 10) % 10)
    text = "".join(map(str, digits))
    return " ".join(text[i : i + 4] for i in range(0, 16, 4))


def _en_address(rng: random.Random) -> tuple[str, str, str]:
    city, region, postal, area = pick(rng, _EN_CITIES)
    if region == "ON":
        code = f"{postal} {between(rng, 1, 9)}{pick(rng, 'ABCEGHJKLMNPRSTVXY')}{between(rng, 1, 9)}"
    else:
        code = f"{postal}{between(rng, 0, 99):02d}"
    street = f"{between(rng, 100, 9899)} {pick(rng, _EN_STREETS)}"
    return f"{street}, {city}, {region} {code}", region, area


def _ja_address(rng: random.Random) -> tuple[str, str, str]:
    prefecture, city, town, area = pick(rng, _JA_PLACES)
    return (
        f"{prefecture}{city}{town}{between(rng, 1, 5)}丁目{between(rng, 1, 30)}番{between(rng, 1, 20)}号",
        prefecture,
        area,
    )


@lru_cache(maxsize=16384)
def customer(seed: int, language: str, index: int) -> Customer:
    """Customer number `index` of the demo instance; the same person every time they call."""
    rng = random.Random(f"{seed}/{language}/{index}")
    birth_year, birth_month, birth_day = rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28)
    exp_month, exp_year = rng.randint(1, 12), rng.randint(26, 31)
    nn = rng.randint(1, 99)
    if language == JA_JP:
        (last, last_r), (first, first_r) = rng.choice(_JA_LAST), rng.choice(_JA_FIRST)
        address, prefecture, area = _ja_address(rng)
        if rng.random() < 0.75:
            national = f"{rng.choice(('90', '80', '70'))}{rng.randint(0, 9999):04d}{rng.randint(0, 9999):04d}"
            spoken = f"0{national[:2]}-{national[2:6]}-{national[6:]}"
        else:
            rest = 8 - len(area)
            local = f"{rng.randint(10 ** (rest - 1), 10**rest - 1)}"
            national = area + local
            cut = len(local) - 4
            spoken = f"0{area}-{local[:cut]}-{local[cut:]}"
        return Customer(
            language,
            first,
            last,
            f"{last}{first}",
            f"+81{national}",
            spoken,
            f"{first_r}.{last_r}{nn}@example.jp",
            f"{birth_year}年{birth_month}月{birth_day}日",
            _card_number(rng, language),
            f"20{exp_year}年{exp_month}月",
            address,
            prefecture,
            f"{rng.randint(10_000_000, 99_999_999)}",
            rng.choice(TIERS),
        )
    first, last = rng.choice(_EN_FIRST), rng.choice(_EN_LAST)
    address, region, area = _en_address(rng)
    line = f"{rng.randint(0, 9999):04d}"
    return Customer(
        language,
        first,
        last,
        f"{first} {last}",
        f"+1{area}555{line}",
        f"{area}-555-{line}",
        f"{first.lower()}.{last.lower().replace(chr(39), '')}{nn}@example.com",
        f"{_MONTHS_EN[birth_month - 1]} {_ordinal(birth_day)}, {birth_year}",
        _card_number(rng, language),
        f"{exp_month:02d}/{exp_year}",
        address,
        region,
        f"{rng.randint(10_000_000, 99_999_999)}",
        rng.choice(TIERS),
    )


def call_slots(rng: random.Random, person: Customer, agent_spoken: str, local_epoch: int) -> dict[str, str]:
    """Slot values for one conversation: who speaks, and this call's amounts, dates and products.

    local_epoch: when the call happens, shifted to the caller's time zone.
    """
    ja = person.language == JA_JP
    local_hour = local_epoch // 3600 % 24
    past = time.gmtime(local_epoch - between(rng, 2, 20) * 86400)  # a recent payment or charge
    month_end = time.gmtime(local_epoch + (32 - time.gmtime(local_epoch).tm_mday) * 86400)
    month_end = time.gmtime(calendar.timegm((month_end.tm_year, month_end.tm_mon, 1, 0, 0, 0)) - 86400)
    plan = pick(rng, _PLANS_JA if ja else _PLANS_EN)
    new_plan = pick(rng, _UPGRADES_JA if ja else _UPGRADES_EN)
    new_address = _ja_address(rng)[0] if ja else _en_address(rng)[0]
    if ja:
        amount = between(rng, 20, 150) * 100 + pick(rng, (0, 80, 20, 40))
        return {
            "company": "さくらモバイル",
            "partner": "さくら修理センター",
            "agent": agent_spoken,
            "cust_first": person.first,
            "cust_last": person.last,
            "cust_full": person.full,
            "phone": person.phone_spoken,
            "dob": person.dob,
            "card": person.card,
            "card_last4": person.card[-4:],
            "expiry": person.expiry,
            "address": person.address,
            "new_address": new_address,
            "email": person.email,
            "amount": f"{amount:,}円",
            "usual_amount": f"{between(rng, 20, 60) * 100:,}円",
            "credit": f"{between(rng, 5, 40) * 110:,}円",
            "plan": plan,
            "new_plan": new_plan,
            "price": f"{between(rng, 50, 90) * 100 - 20:,}円",
            "device": pick(rng, _DEVICES_JA),
            "discount": pick(rng, ("1,100円", "550円", "20%")),
            "ticket": f"TK-{between(rng, 100000, 999999)}",
            "date": f"{past.tm_mon}月{past.tm_mday}日",
            "end_date": f"{month_end.tm_mon}月{month_end.tm_mday}日",
            "daypart": "",
        }
    amount = between(rng, 45, 190) + pick(rng, (0.0, 0.2, 0.49, 0.99, 0.5))
    return {
        "company": "Northwind Mobile",
        "partner": "FixPoint Device Care",
        "agent": agent_spoken,
        "cust_first": person.first,
        "cust_last": person.last,
        "cust_full": person.full,
        "phone": person.phone_spoken,
        "dob": person.dob,
        "card": person.card,
        "card_last4": person.card[-4:],
        "expiry": person.expiry,
        "address": person.address,
        "new_address": new_address,
        "email": person.email,
        "amount": f"${amount:.2f}",
        "usual_amount": f"${between(rng, 40, 80)}",
        "credit": f"${between(rng, 5, 60)}.00",
        "plan": plan,
        "new_plan": new_plan,
        "price": f"${between(rng, 55, 95)}",
        "device": pick(rng, _DEVICES_EN),
        "discount": pick(rng, ("20%", "$15", "$10")),
        "ticket": f"TK-{between(rng, 100000, 999999)}",
        "date": f"{_MONTHS_EN[past.tm_mon - 1]} {_ordinal(past.tm_mday)}",
        "end_date": f"{_MONTHS_EN[month_end.tm_mon - 1]} {_ordinal(month_end.tm_mday)}",
        "daypart": "morning" if local_hour < 12 else "afternoon" if local_hour < 18 else "evening",
    }
