"""The demo instance's directory: agent hierarchy, agents, queues and routing profiles.

Names are fixed so that documentation and demo logins can refer to them ("Tokyo",
"Seattle Support"); identifiers are UUIDs hashed from the seed, so the same
seed always yields the same ARNs and a portal can create matching users from
`demo_directory(seed)` without reading any generated file.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

ACCOUNT_ID = "123456789012"
REGION = "ap-northeast-1"
_NAMESPACE = uuid.UUID("6f1c3f0e-4d0a-4b7e-9a51-3c1d2b7e8a90")

EN_US = "en-US"
JA_JP = "ja-JP"


@dataclass(frozen=True)
class HierarchyGroup:
    id: str
    name: str
    level: int  # 1 = region, 2 = site, 3 = team, 4 = sub-team
    parent_id: str | None
    arn: str


@dataclass(frozen=True)
class Agent:
    id: str
    username: str
    first_name: str
    last_name: str
    group_id: str
    arn: str
    language: str
    routing_profile_id: str
    # How the agent introduces themself on a call: the given name in English, the
    # surname in kanji in Japanese (「佐藤でございます」).
    spoken_name: str
    senior: bool = False


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    arn: str
    language: str
    # Which dialogue scenarios typically end up in this queue.
    topics: tuple[str, ...]


@dataclass(frozen=True)
class RoutingProfile:
    id: str
    name: str
    arn: str


@dataclass(frozen=True)
class Directory:
    seed: int
    account_id: str
    region: str
    instance_id: str
    instance_arn: str
    groups: tuple[HierarchyGroup, ...]
    agents: tuple[Agent, ...]
    queues: tuple[Queue, ...]
    routing_profiles: tuple[RoutingProfile, ...]
    _by_id: dict[str, HierarchyGroup] = field(default_factory=dict, compare=False, repr=False)

    def group(self, group_id: str) -> HierarchyGroup:
        if not self._by_id:
            self._by_id.update({g.id: g for g in self.groups})
        return self._by_id[group_id]

    def group_named(self, name: str) -> HierarchyGroup:
        return next(g for g in self.groups if g.name == name)

    def lineage(self, group_id: str) -> list[HierarchyGroup]:
        """The group and its ancestors, level 1 first (the CTR's Level1..LevelN)."""
        chain = []
        current: str | None = group_id
        while current:
            group = self.group(current)
            chain.append(group)
            current = group.parent_id
        return chain[::-1]

    def agent_named(self, username: str) -> Agent:
        return next(a for a in self.agents if a.username == username)

    def queue_named(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)

    def routing_profile(self, profile_id: str) -> RoutingProfile:
        return next(p for p in self.routing_profiles if p.id == profile_id)


# (region, site, team, language, agents in team, sub-team or None)
_TEAMS: tuple[tuple[str, str, str, str, int, str | None], ...] = (
    ("North America", "Seattle", "Seattle Billing", EN_US, 5, None),
    ("North America", "Seattle", "Seattle Support", EN_US, 3, "Seattle Tier 2"),
    ("North America", "Toronto", "Toronto Care", EN_US, 5, None),
    ("North America", "Toronto", "Toronto Retention", EN_US, 5, None),
    ("Japan", "Tokyo", "東京 請求チーム", JA_JP, 5, None),
    ("Japan", "Tokyo", "東京 サポートチーム", JA_JP, 3, "東京 エスカレーション担当"),
    ("Japan", "Osaka", "大阪 解約受付チーム", JA_JP, 5, None),
    ("Japan", "Osaka", "大阪 サポートチーム", JA_JP, 5, None),
)
_SUBTEAM_SIZE = 2

_EN_AGENTS = (
    ("Emily", "Carter"),
    ("James", "Wilson"),
    ("Olivia", "Martinez"),
    ("Daniel", "Nguyen"),
    ("Sophia", "Brown"),
    ("Michael", "Johnson"),
    ("Ava", "Thompson"),
    ("Ethan", "Garcia"),
    ("Chloe", "Anderson"),
    ("Ryan", "Lee"),
    ("Grace", "Patel"),
    ("Noah", "Robinson"),
    ("Hannah", "Clark"),
    ("Lucas", "Walker"),
    ("Mia", "Young"),
    ("Benjamin", "King"),
    ("Zoe", "Wright"),
    ("Samuel", "Scott"),
    ("Lily", "Green"),
    ("Owen", "Baker"),
    ("Nora", "Adams"),
)
# (romanised given, romanised family, family name in kanji)
_JA_AGENTS = (
    ("Hina", "Sato", "佐藤"),
    ("Shota", "Suzuki", "鈴木"),
    ("Yui", "Takahashi", "高橋"),
    ("Daisuke", "Tanaka", "田中"),
    ("Misaki", "Ito", "伊藤"),
    ("Kenta", "Watanabe", "渡辺"),
    ("Ai", "Yamamoto", "山本"),
    ("Takuya", "Nakamura", "中村"),
    ("Aya", "Kobayashi", "小林"),
    ("Naoki", "Kato", "加藤"),
    ("Megumi", "Yoshida", "吉田"),
    ("Ryo", "Yamaguchi", "山口"),
    ("Yuko", "Sasaki", "佐々木"),
    ("Makoto", "Matsumoto", "松本"),
    ("Mayumi", "Inoue", "井上"),
    ("Koji", "Kimura", "木村"),
    ("Chihiro", "Hayashi", "林"),
    ("Yuto", "Shimizu", "清水"),
    ("Nana", "Saito", "斎藤"),
    ("Kazuya", "Mori", "森"),
    ("Haruka", "Ikeda", "池田"),
)

# (name, language, topics)
_QUEUES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("BasicQueue", EN_US, ("address_change", "plan_change")),
    ("Billing", EN_US, ("billing", "card_update")),
    ("Support", EN_US, ("tech_support", "complaint")),
    ("Cancellations", EN_US, ("cancellation",)),
    ("請求", JA_JP, ("billing", "card_update")),
    ("サポート", JA_JP, ("tech_support", "complaint", "address_change", "plan_change")),
    ("解約", JA_JP, ("cancellation",)),
)

_TEAM_QUEUES = {
    "Seattle Billing": ("Billing", "BasicQueue"),
    "Seattle Support": ("Support", "BasicQueue"),
    "Seattle Tier 2": ("Support",),
    "Toronto Care": ("Support", "BasicQueue", "Billing"),
    "Toronto Retention": ("Cancellations", "Billing"),
    "東京 請求チーム": ("請求",),
    "東京 サポートチーム": ("サポート",),
    "東京 エスカレーション担当": ("サポート",),
    "大阪 解約受付チーム": ("解約", "請求"),
    "大阪 サポートチーム": ("サポート", "解約"),
}

_ROUTING_PROFILES = ("Basic Routing Profile", "North America Agents", "Japan Agents", "Tier 2 Escalations")


def team_queues(group_name: str) -> tuple[str, ...]:
    """Queue names whose contacts the agents of this team (or sub-team) answer."""
    return _TEAM_QUEUES.get(group_name, ())


def _uid(seed: int, kind: str, name: str) -> str:
    """A stable id that looks like Connect's own (random, version-4 UUIDs)."""
    digest = hashlib.sha256(f"{_NAMESPACE}/{seed}/{kind}/{name}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


@lru_cache(maxsize=8)
def demo_directory(seed: int = 7, instance_arn: str = "") -> Directory:
    """`instance_arn`: the instance the demo stands in for (the portal refuses records of
    any other); without it, one of the seed's own."""
    if instance_arn:
        instance_id = instance_arn.rsplit("/", 1)[-1]
    else:
        instance_id = _uid(seed, "instance", "demo")
        instance_arn = f"arn:aws:connect:{REGION}:{ACCOUNT_ID}:instance/{instance_id}"

    def arn(kind: str, ident: str) -> str:
        return f"{instance_arn}/{kind}/{ident}"

    profiles = tuple(
        RoutingProfile(pid, name, arn("routing-profile", pid))
        for name in _ROUTING_PROFILES
        for pid in [_uid(seed, "routing-profile", name)]
    )
    profile_by_name = {p.name: p for p in profiles}

    groups: dict[str, HierarchyGroup] = {}

    def group(name: str, level: int, parent: HierarchyGroup | None) -> HierarchyGroup:
        if name not in groups:
            gid = _uid(seed, "agent-group", name)
            groups[name] = HierarchyGroup(gid, name, level, parent.id if parent else None, arn("agent-group", gid))
        return groups[name]

    agents: list[Agent] = []
    en_names, ja_names = iter(_EN_AGENTS), iter(_JA_AGENTS)

    def add_agent(team: HierarchyGroup, language: str, senior: bool) -> None:
        if language == JA_JP:
            first, last, kanji = next(ja_names)
            spoken = kanji
            profile = profile_by_name["Japan Agents"]
        else:
            first, last = next(en_names)
            spoken = first
            profile = profile_by_name["North America Agents"]
        if senior:
            profile = profile_by_name["Tier 2 Escalations"]
        elif len(agents) % 9 == 0:
            # A few agents were never moved off Connect's default profile.
            profile = profile_by_name["Basic Routing Profile"]
        username = f"{first}.{last}".lower()
        aid = _uid(seed, "agent", username)
        agents.append(
            Agent(aid, username, first, last, team.id, arn("agent", aid), language, profile.id, spoken, senior)
        )

    for region, site, team_name, language, size, subteam in _TEAMS:
        team = group(team_name, 3, group(site, 2, group(region, 1, None)))
        for _ in range(size):
            add_agent(team, language, senior=False)
        if subteam:
            sub = group(subteam, 4, team)
            for _ in range(_SUBTEAM_SIZE):
                add_agent(sub, language, senior=True)

    queues = tuple(
        Queue(qid, name, arn("queue", qid), language, topics)
        for name, language, topics in _QUEUES
        for qid in [_uid(seed, "queue", name)]
    )
    return Directory(
        seed=seed,
        account_id=ACCOUNT_ID,
        region=REGION,
        instance_id=instance_id,
        instance_arn=instance_arn,
        groups=tuple(groups.values()),
        agents=tuple(agents),
        queues=queues,
        routing_profiles=profiles,
    )
