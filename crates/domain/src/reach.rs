//! The plan's 第2号–第4号 programmes: アウトリーチ (reaching people support does
//! not reach), 参加支援 (matching people to 支援メニュー and following up) and
//! 地域づくり (community places and the 出前相談会). Each form is parsed into a
//! value that cannot be incomplete; problems come back per field, in Japanese.

use crate::era::EraDate;
use crate::intake::{FieldError, vocabulary};
use crate::kana::fold_width;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// How an outreach target came to be known.
    FoundVia {
        Meeting = "meeting", "会議（支援会議など）";
        Minsei = "minsei", "民生委員・児童委員";
        Neighbour = "neighbour", "近隣住民";
        Agency = "agency", "関係機関";
        Family = "family", "家族・親族";
        Other = "other", "その他";
    }
);
vocabulary!(
    /// How a contact was attempted.
    ContactWay {
        Visit = "visit", "訪問";
        Phone = "phone", "電話";
        Letter = "letter", "手紙";
        ViaOthers = "via_others", "関係者経由";
        Other = "other", "その他";
    }
);
vocabulary!(
    /// What came of an attempt.
    ContactOutcome {
        Met = "met", "会えた";
        Talked = "talked", "話せた（電話・インターホン等）";
        Absent = "absent", "不在";
        Refused = "refused", "拒否";
        LeftMessage = "left_message", "手紙・メモを残した";
        Other = "other", "その他";
    }
);
vocabulary!(
    /// Where the relationship with an outreach target stands.
    OutreachStage {
        Identified = "identified", "把握";
        Contacted = "contacted", "接触";
        Relationship = "relationship", "関係づくり";
        Connected = "connected", "相談につながった";
        Watching = "watching", "見守り継続";
        Ended = "ended", "終了";
    }
);

impl OutreachStage {
    /// 相談につながった and 終了 end the work on a target.
    pub fn is_open(self) -> bool {
        !matches!(self, OutreachStage::Connected | OutreachStage::Ended)
    }

    /// The stage an attempt may record. 相談につながった is reached only by
    /// turning the target into a consultation; an ended target stays ended.
    pub fn after_attempt(self, to: OutreachStage) -> Result<OutreachStage, String> {
        if !self.is_open() {
            return Err(format!(
                "「{}」の対象者には、これ以上記録できません",
                self.label()
            ));
        }
        if to == OutreachStage::Connected {
            return Err("「相談につながった」は、受付シートを作成すると自動で記録されます".into());
        }
        Ok(to)
    }
}

fn error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn text(v: &str) -> String {
    v.trim().to_owned()
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

fn pick<T>(
    problems: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        problems.push(error(field, format!("{what}を選んでください")));
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        problems.push(error(field, format!("{what}「{value}」は選べません")));
    }
    parsed
}

/// A date typed in 和暦 or 西暦, not after `today` (a record of what happened).
fn past_date(
    problems: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    today: NaiveDate,
    what: &str,
) -> Option<NaiveDate> {
    EraDate::parse_happened(value, today, what)
        .map_err(|m| problems.push(error(field, m)))
        .ok()
}

fn any_date(problems: &mut Vec<FieldError>, field: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    EraDate::parse(value)
        .map_err(|e| problems.push(error(field, e.to_string())))
        .ok()
        .map(EraDate::date)
}

fn done<T>(problems: Vec<FieldError>, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
    if problems.is_empty() {
        Ok(value())
    } else {
        Err(problems)
    }
}

// ------------------------------------------------------------- outreach ----

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TargetInput {
    /// The name if known (a target may be known only by address or description).
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, pattern = r"^[ぁ-ゖァ-ヺー・ 　]*$")
    )]
    pub kana: String,
    pub address: String,
    /// What is known: who, the situation, why support does not reach.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<FoundVia>))]
    pub found_via: String,
    pub found_via_detail: String,
    /// 把握日 (和暦 or 西暦, not a future day); empty: today.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub found_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: Option<String>,
    pub kana: Option<String>,
    pub address: Option<String>,
    pub description: String,
    pub found_via: FoundVia,
    pub found_via_detail: Option<String>,
    pub found_on: NaiveDate,
}

impl TargetInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Target, Vec<FieldError>> {
        let mut problems = Vec::new();
        let found_on = if self.found_on.trim().is_empty() {
            Some(today)
        } else {
            past_date(&mut problems, "found_on", &self.found_on, today, "把握日")
        };
        if self.description.trim().is_empty() {
            problems.push(error(
                "description",
                "わかっていること（世帯の様子、支援が届いていない理由など）を書いてください",
            ));
        }
        if self.name.trim().is_empty() && self.address.trim().is_empty() {
            problems.push(error(
                "address",
                "氏名がわからないときは、住所か場所の手がかりを書いてください",
            ));
        }
        let kana = match crate::kana::Kana::parse(&self.kana) {
            Ok(k) => k.map(|k| k.as_str().to_owned()),
            Err(e) => {
                problems.push(error("kana", e.to_string()));
                None
            }
        };
        let found_via = pick(
            &mut problems,
            "found_via",
            &self.found_via,
            FoundVia::parse,
            "把握の経路",
        );
        done(problems, || Target {
            name: opt(&self.name),
            kana,
            address: opt(&self.address),
            description: text(&self.description),
            found_via: found_via.expect("checked"),
            found_via_detail: opt(&self.found_via_detail),
            found_on: found_on.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AttemptInput {
    /// 和暦 or 西暦; not in the future.
    #[cfg_attr(feature = "openapi", schema(required = true, format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub on: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<ContactWay>))]
    pub way: String,
    /// Who went or called (names of staff, 民生委員 …).
    pub who: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<ContactOutcome>))]
    pub outcome: String,
    pub note: String,
    /// The stage after this attempt; empty keeps the current one.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<OutreachStage>))]
    pub stage: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub on: NaiveDate,
    pub way: ContactWay,
    pub who: String,
    pub outcome: ContactOutcome,
    pub note: String,
    pub stage: OutreachStage,
}

impl AttemptInput {
    /// Checks the attempt against the target's stage, the day it was found
    /// (把握) and today: a contact falls between the two.
    pub fn parse(
        &self,
        current: OutreachStage,
        found_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Attempt, Vec<FieldError>> {
        let mut problems = Vec::new();
        let on = past_date(&mut problems, "on", &self.on, today, "日付");
        if let Some(day) = on
            && day < found_on
        {
            problems.push(error(
                "on",
                format!(
                    "接触日（{}）が対象者を把握した日（{}）より前です",
                    EraDate::from_date(day).label(),
                    EraDate::from_date(found_on).label()
                ),
            ));
        }
        let way = pick(&mut problems, "way", &self.way, ContactWay::parse, "方法");
        let outcome = pick(
            &mut problems,
            "outcome",
            &self.outcome,
            ContactOutcome::parse,
            "結果",
        );
        let stage = if self.stage.trim().is_empty() {
            // A first contact moves a target from 把握 to 接触.
            match (current, outcome) {
                (OutreachStage::Identified, Some(ContactOutcome::Met | ContactOutcome::Talked)) => {
                    Some(OutreachStage::Contacted)
                }
                _ => Some(current),
            }
        } else {
            OutreachStage::parse(&self.stage)
                .ok_or_else(|| format!("段階「{}」は選べません", self.stage.trim()))
                .map_err(|m| problems.push(error("stage", m)))
                .ok()
        };
        let stage = match stage.map(|s| current.after_attempt(s)) {
            Some(Ok(s)) => Some(s),
            Some(Err(m)) => {
                problems.push(error("stage", m));
                None
            }
            None => None,
        };
        done(problems, || Attempt {
            on: on.expect("checked"),
            way: way.expect("checked"),
            who: text(&self.who),
            outcome: outcome.expect("checked"),
            note: text(&self.note),
            stage: stage.expect("checked"),
        })
    }
}

/// A target with no contact for `days` days stands out (the pack sets `days`).
pub fn contact_overdue(last: NaiveDate, today: NaiveDate, days: u32) -> bool {
    (today - last).num_days() > i64::from(days)
}

// -------------------------------------------------------- participation ----

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MenuInput {
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub name: String,
    pub description: String,
    /// 受け入れ先
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub host: String,
    pub place: String,
    pub schedule: String,
    /// 定員 (empty: no limit).
    pub capacity: String,
    /// 対象者: who it suits.
    pub suits: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub name: String,
    pub description: String,
    pub host: String,
    pub place: String,
    pub schedule: String,
    pub capacity: Option<u32>,
    pub suits: String,
}

impl MenuInput {
    pub fn parse(&self) -> Result<Menu, Vec<FieldError>> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(error("name", "メニューの名前を書いてください"));
        }
        if self.host.trim().is_empty() {
            problems.push(error("host", "受け入れ先を書いてください"));
        }
        let capacity = match fold_width(self.capacity.trim())
            .trim_end_matches('人')
            .trim()
        {
            "" => None,
            n => match n.parse::<u32>() {
                Ok(c) if c > 0 => Some(c),
                _ => {
                    problems.push(error(
                        "capacity",
                        format!(
                            "定員「{}」は1以上の数で書いてください（空欄なら定員なし）",
                            self.capacity.trim()
                        ),
                    ));
                    None
                }
            },
        };
        done(problems, || Menu {
            name: text(&self.name),
            description: text(&self.description),
            host: text(&self.host),
            place: text(&self.place),
            schedule: text(&self.schedule),
            capacity,
            suits: text(&self.suits),
        })
    }
}

/// Places left on a menu; `None` when it has no limit.
pub fn capacity_left(capacity: Option<u32>, participants: usize) -> Option<i64> {
    capacity.map(|c| i64::from(c) - participants as i64)
}

/// Why a person cannot be matched: the reasons are required, a full menu refuses.
pub fn check_match(
    reasons: &str,
    capacity: Option<u32>,
    participants: usize,
) -> Result<String, FieldError> {
    if reasons.trim().is_empty() {
        return Err(error(
            "reasons",
            "このメニューにつなぐ理由（本人の希望、合うと考えた点など）を書いてください",
        ));
    }
    if capacity_left(capacity, participants).is_some_and(|left| left <= 0) {
        return Err(error(
            "menu_id",
            "このメニューは定員に達しています。受け入れ先と調整してから、定員を見直してください",
        ));
    }
    Ok(text(reasons))
}

vocabulary!(
    /// Whether a person still takes part in a 支援メニュー.
    MatchState {
        Active = "active", "参加中";
        Ended = "ended", "終了";
    }
);

impl FollowUpKind {
    /// The state of the match after this follow-up.
    pub fn match_state(self) -> MatchState {
        if self == FollowUpKind::Ended {
            MatchState::Ended
        } else {
            MatchState::Active
        }
    }
}

vocabulary!(
    /// A follow-up record after matching (定着支援).
    FollowUpKind {
        Participation = "participation", "参加";
        Absence = "absence", "欠席";
        Interview = "interview", "面談・連絡";
        Ended = "ended", "利用終了";
    }
);

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FollowUpInput {
    #[cfg_attr(feature = "openapi", schema(required = true, format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub on: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<FollowUpKind>))]
    pub kind: String,
    /// How it goes.
    pub note: String,
    /// 次回の定着支援の予定日 (和暦 or 西暦).
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub next_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub on: NaiveDate,
    pub kind: FollowUpKind,
    pub note: String,
    pub next_on: Option<NaiveDate>,
}

impl FollowUpInput {
    pub fn parse(&self, today: NaiveDate) -> Result<FollowUp, Vec<FieldError>> {
        let mut problems = Vec::new();
        let on = past_date(&mut problems, "on", &self.on, today, "日付");
        let kind = pick(
            &mut problems,
            "kind",
            &self.kind,
            FollowUpKind::parse,
            "記録の種類",
        );
        if matches!(kind, Some(FollowUpKind::Interview | FollowUpKind::Ended))
            && self.note.trim().is_empty()
        {
            problems.push(error(
                "note",
                "様子（どう過ごしているか、話したこと）を書いてください",
            ));
        }
        let next_on = any_date(&mut problems, "next_on", &self.next_on);
        if let (Some(on), Some(next)) = (on, next_on)
            && next < on
        {
            problems.push(error(
                "next_on",
                "次回の予定日は記録の日付より後にしてください",
            ));
        }
        done(problems, || FollowUp {
            on: on.expect("checked"),
            kind: kind.expect("checked"),
            note: text(&self.note),
            next_on,
        })
    }
}

/// A follow-up is due once its day has come.
pub fn follow_up_due(next_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    next_on.is_some_and(|d| d <= today)
}

// ------------------------------------------------------ community building --

vocabulary!(
    /// The kinds of community resource.
    ResourceKind {
        Ibasho = "ibasho", "居場所";
        Kayoinoba = "kayoinoba", "通いの場";
        Salon = "salon", "サロン";
        ChildcareHub = "childcare_hub", "地域子育て支援拠点";
        ActivityCenter = "activity_center", "地域活動支援センター";
        ChildrensCafeteria = "childrens_cafeteria", "子ども食堂";
        LivingSupport = "living_support", "生活支援体制（生活支援コーディネーター）";
        Other = "other", "その他";
    }
);

impl ResourceKind {
    /// The kind of a pack agency of 第3号, from its category.
    pub fn of_category(category: &str) -> ResourceKind {
        if category.contains("地域子育て支援") {
            ResourceKind::ChildcareHub
        } else if category.contains("地域活動支援センター") {
            ResourceKind::ActivityCenter
        } else if category.contains("地域包括支援センター") {
            ResourceKind::LivingSupport
        } else if category.contains("通いの場") {
            ResourceKind::Kayoinoba
        } else if category.contains("サロン") {
            ResourceKind::Salon
        } else if category.contains("子ども食堂") {
            ResourceKind::ChildrensCafeteria
        } else {
            ResourceKind::Other
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResourceInput {
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<ResourceKind>))]
    pub kind: String,
    pub description: String,
    pub address: String,
    /// いつ: 毎週火曜 10:00〜12:00 …
    pub schedule: String,
    /// 運営: who runs it.
    pub operator: String,
    /// 対象: for whom.
    pub audience: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(0[0-9]{9,10})?$"))]
    pub phone: String,
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// 開設日 (和暦 or 西暦, not a future day); empty: today.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub opened_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub kind: ResourceKind,
    pub description: String,
    pub address: Option<String>,
    pub schedule: String,
    pub operator: String,
    pub audience: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub opened_on: NaiveDate,
}

impl ResourceInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Resource, Vec<FieldError>> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(error("name", "名前を書いてください"));
        }
        let kind = pick(
            &mut problems,
            "kind",
            &self.kind,
            ResourceKind::parse,
            "種類",
        );
        let phone = opt(&self.phone);
        if let Some(p) = &phone
            && crate::kana::phone_key(p).len() < 6
        {
            problems.push(error("phone", format!("電話番号「{p}」を確認してください")));
        }
        let email = opt(&fold_width(&self.email));
        if let Some(e) = &email
            && !(e.contains('@') && !e.starts_with('@') && !e.ends_with('@'))
        {
            problems.push(error(
                "email",
                format!("メールアドレス「{e}」を確認してください"),
            ));
        }
        let opened_on = if self.opened_on.trim().is_empty() {
            Some(today)
        } else {
            past_date(&mut problems, "opened_on", &self.opened_on, today, "開設日")
        };
        done(problems, || Resource {
            opened_on: opened_on.expect("checked"),
            name: text(&self.name),
            kind: kind.expect("checked"),
            description: text(&self.description),
            address: opt(&self.address),
            schedule: text(&self.schedule),
            operator: text(&self.operator),
            audience: text(&self.audience),
            phone,
            email,
        })
    }
}

/// A 拠点's 廃止 as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResourceClosingInput {
    /// 廃止日 (和暦 or 西暦); empty: today.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub closed_on: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub reason: String,
}

impl ResourceClosingInput {
    /// The day it closed: not in the future and not before it opened.
    pub fn parse(
        &self,
        opened_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<(NaiveDate, String), Vec<FieldError>> {
        let mut problems = Vec::new();
        let closed_on = if self.closed_on.trim().is_empty() {
            Some(today)
        } else {
            past_date(&mut problems, "closed_on", &self.closed_on, today, "廃止日")
        };
        if let (Some(closed), Some(opened)) = (closed_on, opened_on)
            && closed < opened
        {
            problems.push(error(
                "closed_on",
                format!(
                    "廃止日（{}）が開設日（{}）より前です",
                    crate::era::EraDate::from_date(closed).label(),
                    crate::era::EraDate::from_date(opened).label()
                ),
            ));
        }
        if self.reason.trim().is_empty() {
            problems.push(error("reason", "廃止の理由を書いてください"));
        }
        done(problems, || {
            (closed_on.expect("checked"), text(&self.reason))
        })
    }
}

vocabulary!(
    /// Community events.
    EventKind {
        PopUpConsultation = "pop_up_consultation", "出前相談会（困りごとまるごと無料相談会）";
        Gathering = "gathering", "交流・学びの場";
        Other = "other", "その他";
    }
);

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EventInput {
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<EventKind>))]
    pub kind: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(required = true, format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub held_on: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub place: String,
    pub note: String,
    /// The network members (推進員, by their position in the pack's table) who attended.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u32>))]
    pub attendee_positions: Vec<i64>,
    /// 参加者数 (residents who came), if counted: a number, or digits in any
    /// width as typed in a form.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, maximum = 100000))]
    pub participants: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub note: String,
    pub attendee_positions: Vec<i64>,
    pub participants: Option<u32>,
}

impl EventInput {
    pub fn parse(&self) -> Result<Event, Vec<FieldError>> {
        let mut problems = Vec::new();
        let kind = pick(&mut problems, "kind", &self.kind, EventKind::parse, "種類");
        let held_on = if self.held_on.trim().is_empty() {
            problems.push(error("held_on", "開催日を入れてください"));
            None
        } else {
            any_date(&mut problems, "held_on", &self.held_on)
        };
        if self.place.trim().is_empty() {
            problems.push(error("place", "開催場所を書いてください"));
        }
        let typed = match &self.participants {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => fold_width(s.trim()),
            other => other.to_string(),
        };
        let participants = match typed.as_str() {
            "" => None,
            digits => match digits.parse::<u32>() {
                Ok(n) if n <= 100_000 => Some(n),
                _ => {
                    problems.push(error("participants", "参加者数は0以上の数で入れてください"));
                    None
                }
            },
        };
        let mut attendees = self.attendee_positions.clone();
        attendees.sort_unstable();
        attendees.dedup();
        done(problems, || {
            let kind = kind.expect("checked");
            Event {
                title: opt(&self.title).unwrap_or_else(|| kind.label().to_owned()),
                kind,
                held_on: held_on.expect("checked"),
                place: text(&self.place),
                note: text(&self.note),
                attendee_positions: attendees,
                participants,
            }
        })
    }
}

vocabulary!(
    /// 研修会・意見交換会 (§5 関係機関相互の連携): the city's sessions that build
    /// the network of agencies and 関係各課.
    TrainingKind {
        Training = "training", "研修会";
        Exchange = "exchange", "意見交換会";
    }
);

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TrainingInput {
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<TrainingKind>))]
    pub kind: String,
    /// 和暦 or 西暦; the day it was held (not a future day).
    #[cfg_attr(feature = "openapi", schema(required = true, format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub held_on: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub theme: String,
    pub note: String,
    /// The agencies and 関係各課 (agency rows) that took part.
    #[cfg_attr(feature = "openapi", schema(required = true, min_items = 1, value_type = Vec<crate::openapi::RecordId>))]
    pub agency_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub kind: TrainingKind,
    pub held_on: NaiveDate,
    pub theme: String,
    pub note: String,
    pub agency_ids: Vec<i64>,
}

impl TrainingInput {
    /// A record of a session held: its kind, a day not after `today`, the
    /// theme, and at least one participating agency or 関係各課.
    pub fn parse(&self, today: NaiveDate) -> Result<Training, Vec<FieldError>> {
        let mut problems = Vec::new();
        let kind = pick(
            &mut problems,
            "kind",
            &self.kind,
            TrainingKind::parse,
            "種類",
        );
        let held_on = if self.held_on.trim().is_empty() {
            problems.push(error("held_on", "開催日を入れてください"));
            None
        } else {
            EraDate::parse_happened(&self.held_on, today, "開催日")
                .map_err(|m| problems.push(error("held_on", m)))
                .ok()
        };
        if self.theme.trim().is_empty() {
            problems.push(error("theme", "テーマを書いてください"));
        }
        let mut agency_ids = self.agency_ids.clone();
        agency_ids.sort_unstable();
        agency_ids.dedup();
        if agency_ids.is_empty() {
            problems.push(error(
                "agency_ids",
                "参加した機関・関係各課を1つ以上選んでください",
            ));
        }
        done(problems, || Training {
            kind: kind.expect("checked"),
            held_on: held_on.expect("checked"),
            theme: text(&self.theme),
            note: text(&self.note),
            agency_ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_target_needs_what_is_known_and_a_clue_to_where() {
        let errors = TargetInput::default().parse(day(2026, 11, 27)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["description", "address", "found_via"]);
        let target = TargetInput {
            address: "盛岡市上田三丁目の青い屋根の家".into(),
            description: "高齢の男性が一人で暮らし、郵便物がたまっている".into(),
            found_via: "民生委員・児童委員".into(),
            ..TargetInput::default()
        }
        .parse(day(2026, 11, 27))
        .unwrap();
        assert_eq!(target.name, None);
        assert_eq!(target.found_via, FoundVia::Minsei);
    }

    #[test]
    fn attempts_move_the_stage_but_never_to_connected_by_hand() {
        let today = day(2026, 11, 27);
        let found = day(2026, 11, 1);
        let attempt = |stage: &str, outcome: &str| AttemptInput {
            on: "R8.11.20".into(),
            way: "visit".into(),
            who: "CSW".into(),
            outcome: outcome.into(),
            note: String::new(),
            stage: stage.into(),
        };
        let absent = attempt("", "absent")
            .parse(OutreachStage::Identified, found, today)
            .unwrap();
        assert_eq!(absent.stage, OutreachStage::Identified);
        let met = attempt("", "会えた")
            .parse(OutreachStage::Identified, found, today)
            .unwrap();
        assert_eq!(met.stage, OutreachStage::Contacted);
        let errors = attempt("connected", "met")
            .parse(OutreachStage::Contacted, found, today)
            .unwrap_err();
        assert_eq!(errors[0].field, "stage");
        assert!(
            attempt("", "met")
                .parse(OutreachStage::Ended, found, today)
                .is_err()
        );
        let future = AttemptInput {
            on: "2026-12-01".into(),
            ..attempt("", "met")
        };
        assert_eq!(
            future
                .parse(OutreachStage::Contacted, found, today)
                .unwrap_err()[0]
                .message,
            "日付に未来の日付は入れられません"
        );
        let before_found = AttemptInput {
            on: "R8.10.31".into(),
            ..attempt("", "met")
        };
        let refused = before_found
            .parse(OutreachStage::Identified, found, today)
            .unwrap_err();
        assert!(refused[0].message.contains("把握した日"), "{refused:?}");
        assert!(
            AttemptInput {
                on: "R8.11.1".into(),
                ..attempt("", "met")
            }
            .parse(OutreachStage::Identified, found, today)
            .is_ok(),
            "the day it was found"
        );
        assert!(contact_overdue(day(2026, 10, 1), today, 30));
        assert!(!contact_overdue(day(2026, 11, 1), today, 30));
    }

    #[test]
    fn menus_capacity_and_matching() {
        let menu = MenuInput {
            name: "畑づくり".into(),
            host: "盛岡市社会福祉協議会".into(),
            capacity: "５人".into(),
            ..MenuInput::default()
        }
        .parse()
        .unwrap();
        assert_eq!(menu.capacity, Some(5));
        assert_eq!(capacity_left(menu.capacity, 3), Some(2));
        assert_eq!(capacity_left(None, 3), None);
        let bad = MenuInput {
            capacity: "たくさん".into(),
            ..MenuInput::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "host", "capacity"]);
        assert_eq!(check_match(" ", None, 0).unwrap_err().field, "reasons");
        assert_eq!(
            check_match("土に触れたい", Some(2), 2).unwrap_err().field,
            "menu_id"
        );
        assert_eq!(
            check_match(" 土に触れたい ", Some(2), 1).unwrap(),
            "土に触れたい"
        );
    }

    #[test]
    fn follow_ups_are_dated_and_due() {
        let today = day(2026, 11, 27);
        let f = FollowUpInput {
            on: "令和8年11月20日".into(),
            kind: "参加".into(),
            note: String::new(),
            next_on: "2026-12-04".into(),
        }
        .parse(today)
        .unwrap();
        assert_eq!(f.kind, FollowUpKind::Participation);
        assert!(!follow_up_due(f.next_on, today));
        assert!(follow_up_due(f.next_on, day(2026, 12, 4)));
        let errors = FollowUpInput {
            on: "令和8年11月20日".into(),
            kind: "interview".into(),
            note: String::new(),
            next_on: "2026-11-01".into(),
        }
        .parse(today)
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["note", "next_on"]);
    }

    #[test]
    fn resources_and_events_are_checked() {
        let r = ResourceInput {
            name: "上田ふれあいサロン".into(),
            kind: "サロン".into(),
            email: "ｓａｌｏｎ＠ｅｘａｍｐｌｅ．ｊｐ".into(),
            ..ResourceInput::default()
        }
        .parse(day(2026, 11, 27))
        .unwrap();
        assert_eq!(r.kind, ResourceKind::Salon);
        assert_eq!(r.email.as_deref(), Some("salon@example.jp"));
        let errors = ResourceInput {
            phone: "12".into(),
            email: "nope".into(),
            ..ResourceInput::default()
        }
        .parse(day(2026, 11, 27))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "kind", "phone", "email"]);
        assert_eq!(
            ResourceKind::of_category("地域子育て支援拠点"),
            ResourceKind::ChildcareHub
        );
        let e = EventInput {
            kind: "pop_up_consultation".into(),
            held_on: "R8.10.15".into(),
            place: "上田公民館".into(),
            attendee_positions: vec![3, 1, 3],
            ..EventInput::default()
        }
        .parse()
        .unwrap();
        assert_eq!(e.title, "出前相談会（困りごとまるごと無料相談会）");
        assert_eq!(e.attendee_positions, vec![1, 3]);
        assert_eq!(EventInput::default().parse().unwrap_err().len(), 3);
    }

    #[test]
    fn a_resource_opens_and_closes_on_days_that_have_come() {
        let today = day(2026, 11, 27);
        let input = ResourceInput {
            name: "上田ふれあいサロン".into(),
            kind: "salon".into(),
            ..ResourceInput::default()
        };
        assert_eq!(input.parse(today).unwrap().opened_on, today);
        let opened = ResourceInput {
            opened_on: "R7.4.1".into(),
            ..input.clone()
        };
        assert_eq!(opened.parse(today).unwrap().opened_on, day(2025, 4, 1));
        let future = ResourceInput {
            opened_on: "2027-01-01".into(),
            ..input
        };
        assert_eq!(future.parse(today).unwrap_err()[0].field, "opened_on");

        let closing = ResourceClosingInput {
            closed_on: "令和8年3月31日".into(),
            reason: "担い手の高齢化".into(),
        };
        assert_eq!(
            closing.parse(Some(day(2025, 4, 1)), today).unwrap(),
            (day(2026, 3, 31), "担い手の高齢化".to_owned())
        );
        let before_opening = closing.parse(Some(day(2026, 4, 1)), today).unwrap_err();
        assert_eq!(before_opening[0].field, "closed_on");
        assert!(before_opening[0].message.contains("開設日"));
        let errors = ResourceClosingInput {
            closed_on: "2026-12-01".into(),
            reason: " ".into(),
        }
        .parse(None, today)
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["closed_on", "reason"]);
    }

    #[test]
    fn a_training_record_needs_kind_day_theme_and_who_took_part() {
        let today = day(2026, 11, 27);
        let errors = TrainingInput::default().parse(today).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["kind", "held_on", "theme", "agency_ids"]);
        let ahead = TrainingInput {
            kind: "研修会".into(),
            held_on: "2026-12-01".into(),
            theme: "重層事業の連携".into(),
            agency_ids: vec![3],
            ..TrainingInput::default()
        }
        .parse(today)
        .unwrap_err();
        assert_eq!(ahead[0].field, "held_on", "a future day is refused");
        let t = TrainingInput {
            kind: "exchange".into(),
            held_on: "令和8年10月5日".into(),
            theme: " 事例の共有 ".into(),
            agency_ids: vec![5, 3, 5],
            ..TrainingInput::default()
        }
        .parse(today)
        .unwrap();
        assert_eq!(t.kind, TrainingKind::Exchange);
        assert_eq!(t.held_on, day(2026, 10, 5));
        assert_eq!(t.theme, "事例の共有");
        assert_eq!(t.agency_ids, vec![3, 5]);
    }

    #[test]
    fn an_events_participants_are_a_count_in_any_width_or_left_out() {
        let base = EventInput {
            kind: "pop_up_consultation".into(),
            held_on: "R8.11.15".into(),
            place: "上田公民館".into(),
            ..EventInput::default()
        };
        assert_eq!(base.parse().unwrap().participants, None);
        for (typed, n) in [
            (serde_json::json!(25), 25),
            (serde_json::json!("２５"), 25),
            (serde_json::json!(" 0 "), 0),
        ] {
            let e = EventInput {
                participants: typed,
                ..base.clone()
            };
            assert_eq!(e.parse().unwrap().participants, Some(n));
        }
        for bad in [
            serde_json::json!(-3),
            serde_json::json!("多数"),
            serde_json::json!(1.5),
        ] {
            let e = EventInput {
                participants: bad,
                ..base.clone()
            };
            assert_eq!(e.parse().unwrap_err()[0].field, "participants");
        }
    }
}
