//! 参加支援 (第2号): 支援メニュー, matching a person to one with the reasons,
//! follow-ups (定着支援) and support for the hosts (受け入れ先).
//!
//! A participant is seen by whoever may see the person; menus are the
//! directory every signed-in user reads.

use crate::{Actor, App, AppError, FieldError, policy};
use serde::Deserialize;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::reach::{FollowUpInput, FollowUpKind, MatchState, MenuInput, check_match};
use tsunagaru_store::{
    FollowUpRecord, HostSupport, NewFollowUp, NewMatch, NewMenu, ParticipationMatch,
    ParticipationMenu, Person,
};

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MatchInput {
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub menu_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub person_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub case_id: Option<i64>,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub reasons: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct HostSupportInput {
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub on: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub note: String,
}

impl App {
    // -------------------------------------------------------- participation ----

    /// Who may add menus and record support for hosts: the 事務局.
    async fn require_team(&self, actor: &Actor, what: &str) -> Result<i64, AppError> {
        match self.team_agency(actor).await? {
            Some(team) if policy::may_manage_menus(actor, true) => Ok(team),
            _ => Err(AppError::forbidden(format!(
                "{what}は事務局（まるごとよりそいネットワーク）の職員が行います"
            ))),
        }
    }

    pub async fn create_menu(&self, actor: &Actor, input: &MenuInput) -> Result<i64, AppError> {
        self.require_team(actor, "支援メニューの登録").await?;
        let menu = input.parse().map_err(AppError::Invalid)?;
        Ok(self
            .repo
            .create_menu(
                &NewMenu {
                    name: menu.name,
                    description: menu.description,
                    host: menu.host,
                    place: menu.place,
                    schedule: menu.schedule,
                    capacity: menu.capacity.map(i64::from),
                    suits: menu.suits,
                    created_by: actor.id(),
                },
                actor
                    .audit(AuditAction::ParticipationRecorded)
                    .detail("支援メニューの登録"),
            )
            .await?)
    }

    /// Matches a person the user may see to a menu, with the reasons.
    pub async fn create_match(&self, actor: &Actor, input: &MatchInput) -> Result<i64, AppError> {
        let person_id = input.person_id.ok_or_else(|| {
            AppError::Invalid(vec![FieldError {
                field: "person_id".into(),
                message: "つなぐ人を選んでください".into(),
            }])
        })?;
        self.visible_person(actor, person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let agency_id = *actor
            .agency_ids
            .first()
            .ok_or_else(|| AppError::forbidden("所属機関がないため支援メニューにつなげません"))?;
        let menu = match input.menu_id {
            Some(id) => self.repo.menu(id).await?.filter(|m| m.active),
            None => None,
        }
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError {
                field: "menu_id".into(),
                message: "支援メニューを選んでください".into(),
            }])
        })?;
        if let Some(case_id) = input.case_id {
            let case = self
                .visible_case(actor, case_id)
                .await?
                .filter(|c| c.person_id == person_id);
            if case.is_none() {
                return Err(AppError::Invalid(vec![FieldError {
                    field: "case_id".into(),
                    message: "この人のケースではありません".into(),
                }]));
            }
        }
        let active = self
            .repo
            .matches_of_menu(menu.id)
            .await?
            .iter()
            .filter(|m| m.state == MatchState::Active)
            .count();
        let capacity = menu.capacity.and_then(|c| u32::try_from(c).ok());
        let reasons = check_match(&input.reasons, capacity, active)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        let today = self.today();
        self.repo
            .create_match(
                &NewMatch {
                    menu_id: menu.id,
                    person_id,
                    case_id: input.case_id,
                    agency_id,
                    reasons,
                    matched_on: today,
                    matched_by: actor.id(),
                    next_follow_up_on: today.checked_add_days(chrono::Days::new(u64::from(
                        self.pack().outreach.follow_up_every_days,
                    ))),
                },
                actor
                    .audit(AuditAction::ParticipationRecorded)
                    .detail(format!("支援メニュー ID {} につなぐ", menu.id)),
            )
            .await
            .map_err(AppError::from)
    }

    /// A match the user may see: they may see its person.
    pub async fn visible_match(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Option<ParticipationMatch>, AppError> {
        let Some(m) = self.repo.participation_match(id).await? else {
            return Ok(None);
        };
        Ok(self.visible_person(actor, m.person_id).await?.map(|_| m))
    }

    pub async fn add_follow_up(
        &self,
        actor: &Actor,
        match_id: i64,
        input: &FollowUpInput,
    ) -> Result<i64, AppError> {
        let m = self
            .visible_match(actor, match_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut f = input.parse(self.today()).map_err(AppError::Invalid)?;
        // Without a date for the next one, the pack's interval proposes it.
        if f.next_on.is_none() && f.kind != FollowUpKind::Ended {
            f.next_on = f.on.checked_add_days(chrono::Days::new(u64::from(
                self.pack().outreach.follow_up_every_days,
            )));
        }
        self.repo
            .add_follow_up(
                &NewFollowUp {
                    match_id: m.id,
                    on_date: f.on,
                    kind: f.kind,
                    note: f.note,
                    next_on: f.next_on,
                    user_id: actor.id(),
                },
                actor
                    .audit(AuditAction::ParticipationRecorded)
                    .detail("定着支援の記録"),
            )
            .await
            .map_err(AppError::from)
    }

    pub async fn add_host_support(
        &self,
        actor: &Actor,
        menu_id: i64,
        input: &HostSupportInput,
    ) -> Result<i64, AppError> {
        self.require_team(actor, "受け入れ先への支援の記録").await?;
        self.repo.menu(menu_id).await?.ok_or(AppError::NotFound)?;
        let mut problems = Vec::new();
        let on = tsunagaru_domain::era::EraDate::parse_happened(&input.on, self.today(), "日付")
            .map_err(|message| {
                problems.push(FieldError {
                    field: "on".into(),
                    message,
                })
            })
            .ok();
        if input.note.trim().is_empty() {
            problems.push(FieldError {
                field: "note".into(),
                message: "受け入れ先への支援の内容を書いてください".into(),
            });
        }
        let Some(on) = on.filter(|_| problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        Ok(self
            .repo
            .add_host_support(
                menu_id,
                on,
                input.note.trim(),
                actor.id(),
                actor
                    .audit(AuditAction::ParticipationRecorded)
                    .detail("受け入れ先への支援"),
            )
            .await?)
    }
}

/// A menu with everyone on it (for the counts) and the participants the
/// actor may see (for the names).
pub struct MenuRecord {
    pub menu: ParticipationMenu,
    pub matches: Vec<ParticipationMatch>,
    pub seen: Vec<(ParticipationMatch, Person)>,
    pub host_supports: Vec<HostSupport>,
}

/// A match as its viewer sees it.
pub struct MatchRecord {
    pub matched: ParticipationMatch,
    pub person: Person,
    pub menu: Option<ParticipationMenu>,
    pub follow_ups: Vec<FollowUpRecord>,
}

impl App {
    /// The active menus with their participants (see [`App::menu_record`]);
    /// naming anyone is audited once for the list.
    pub async fn menu_records(&self, actor: &Actor) -> Result<Vec<MenuRecord>, AppError> {
        let mut records = Vec::new();
        for menu in self.repo.menus().await?.into_iter().filter(|m| m.active) {
            records.push(self.menu_participants(actor, menu).await?);
        }
        let named: usize = records.iter().map(|r| r.seen.len()).sum();
        if named > 0 {
            self.repo
                .append_audit(
                    actor
                        .audit(AuditAction::ParticipationViewed)
                        .detail(format!("支援メニュー一覧 参加者 {named} 名")),
                )
                .await?;
        }
        Ok(records)
    }

    async fn menu_participants(
        &self,
        actor: &Actor,
        menu: ParticipationMenu,
    ) -> Result<MenuRecord, AppError> {
        let matches = self.repo.matches_of_menu(menu.id).await?;
        let persons = self
            .visible_persons(
                actor,
                &matches.iter().map(|m| m.person_id).collect::<Vec<_>>(),
            )
            .await?;
        let seen = matches
            .iter()
            .filter_map(|m| persons.get(&m.person_id).map(|p| (m.clone(), p.clone())))
            .collect();
        let host_supports = self.repo.host_supports_of(menu.id).await?;
        Ok(MenuRecord {
            menu,
            matches,
            seen,
            host_supports,
        })
    }

    /// A menu with its participants: counted for everyone, named only when the
    /// actor may see the person. Naming anyone is audited.
    pub async fn menu_record(&self, actor: &Actor, id: i64) -> Result<MenuRecord, AppError> {
        let record = self.menu_participants(actor, self.menu(id).await?).await?;
        let seen = &record.seen;
        if !seen.is_empty() {
            self.repo
                .append_audit(
                    actor
                        .audit(AuditAction::ParticipationViewed)
                        .record("participation_menu", id)
                        .detail(format!("参加者 {} 名", seen.len())),
                )
                .await?;
        }
        Ok(record)
    }

    /// A match with its person and follow-ups; the view is audited.
    pub async fn match_record(&self, actor: &Actor, id: i64) -> Result<MatchRecord, AppError> {
        let matched = self
            .visible_match(actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = self
            .visible_person(actor, matched.person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let menu = self.repo.menu(matched.menu_id).await?;
        let follow_ups = self.repo.follow_ups_of(id).await?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::ParticipationViewed)
                    .record("participation_match", id),
            )
            .await?;
        Ok(MatchRecord {
            matched,
            person,
            menu,
            follow_ups,
        })
    }
}
