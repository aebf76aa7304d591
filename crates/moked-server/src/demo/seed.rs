//! Seeds the demo organization into a store, idempotently: every record is
//! looked up by its natural key (slug, name, login, code, phone) and created
//! only when absent, so a restart keeps what earlier runs stored and an
//! interrupted seeding completes on the next start. The demo logins' password
//! and the human agents' SIP accounts (1001, 1002, …) are set on every
//! start, so the printed passwords always work.

use super::data::{
    AGENT_CLOSINGS, AGENT_REPLIES, BOT_NAMES, CUSTOMER_FOLLOW_UPS, CUSTOMER_NOTES, CUSTOMER_THANKS,
    DEPARTMENTS, FIRST_NAMES, HOURS_NAME, HUMAN_AGENTS, LAST_NAMES, MOBILE_PREFIXES, ORG_NAME,
    ORG_SLUG, ORG_TIME_ZONE, TEAMS,
};
use super::{DemoCenter, DemoError, DemoOptions, DemoPhone, DemoQueue};
use jiff::{Span, Timestamp};
use moked_domain::{Channel, EmailAddress, IsraeliId, PhoneE164};
use moked_store::{
    AgentCapacity, AgentSkill, BusinessHours, CustomerTier, InteractionId, NewBusinessHours,
    NewCustomer, NewInteraction, NewMessage, NewOrganization, NewQueue, NewSipAccount, NewUser,
    NewWrapUpCode, OrgId, Organization, Queue, Role, Sender, SkillId, Store, StoreError, TeamId,
    TimelineEntry, TimelineStep, User, UserId, UserUpdate, WeeklyInterval, WrapUpCode,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Chats a simulated agent holds at once: one, so the bots' share of the
/// load is set by how many of them are logged in.
const BOT_CHAT_CAPACITY: u16 = 1;
/// Chats a human demo agent holds at once.
const HUMAN_CHAT_CAPACITY: u16 = 3;
/// Days of history behind the customers' past interactions.
const HISTORY_DAYS: i64 = 28;
/// The most past interactions one customer gets.
const MAX_PAST_INTERACTIONS: u32 = 4;
/// The first human agent's SIP user name; the next ones count up.
const FIRST_SIP_ACCOUNT: usize = 1001;
/// Seconds a voice queue lets an agent's phone ring before the call goes
/// back to its place for the next agent.
const VOICE_RING_SECONDS: u32 = 20;

/// Stores whatever of the demo organization is missing and returns it.
pub async fn seed(
    store: &dyn Store,
    options: &DemoOptions,
    now: Timestamp,
) -> Result<DemoCenter, DemoError> {
    let (org, created) = organization(store).await?;
    let skills = skills(store, org.id).await?;
    let teams = teams(store, org.id).await?;
    let hours = business_hours(store, org.id).await?;
    let queues = queues(store, org.id, &skills).await?;
    let voice_queues = voice_queues(store, org.id, &skills).await?;
    email_queue(store, org.id).await?;
    let codes = wrap_up_codes(store, org.id).await?;
    let password_hash = crate::auth::hash_password(&options.password);
    let staff = staff(store, org.id, &password_hash, &teams, options.bots).await?;
    for (person, user) in HUMAN_AGENTS.iter().zip(&staff.humans) {
        give_skills(store, org.id, user.id, person.skills, &skills).await?;
        give_chat_capacity(store, org.id, user.id, HUMAN_CHAT_CAPACITY).await?;
    }
    let phones = sip_accounts(store, org.id, &staff.humans, options).await?;
    for bot in &staff.bots {
        give_chat_capacity(store, org.id, bot.user.id, BOT_CHAT_CAPACITY).await?;
        // Bots answer chats only: the demo's emails wait for a person.
        let no_email = AgentCapacity {
            channel: Channel::Email,
            max_concurrent: 0,
        };
        store
            .set_agent_capacity(org.id, bot.user.id, no_email)
            .await?;
        let skill = [(bot.department, 7)];
        give_skills(store, org.id, bot.user.id, &skill, &skills).await?;
    }
    let handlers: Vec<UserId> = staff
        .humans
        .iter()
        .map(|user| user.id)
        .chain(staff.bots.iter().map(|bot| bot.user.id))
        .collect();
    let history = History {
        org: org.id,
        queues: &queues,
        codes: &codes,
        agents: &handlers,
        now,
    };
    customers(store, options, &history).await?;
    Ok(DemoCenter {
        org,
        created,
        business_hours: hours.id,
        queues: queues
            .into_iter()
            .zip(DEPARTMENTS)
            .map(|(queue, department)| DemoQueue { queue, department })
            .collect(),
        voice_queues: voice_queues
            .into_iter()
            .zip(DEPARTMENTS)
            .map(|(queue, department)| DemoQueue { queue, department })
            .collect(),
        phones,
        wrap_up_codes: codes,
        humans: staff.humans,
        bots: staff.bots,
    })
}

/// The organization, and whether this call created it.
async fn organization(store: &dyn Store) -> Result<(Organization, bool), DemoError> {
    match store.organization_by_slug(ORG_SLUG).await {
        Ok(org) => Ok((org, false)),
        Err(StoreError::NotFound { .. }) => {
            let new = NewOrganization {
                slug: ORG_SLUG.to_owned(),
                name: ORG_NAME.to_owned(),
                time_zone: ORG_TIME_ZONE.to_owned(),
            };
            Ok((store.create_organization(&new).await?, true))
        }
        Err(error) => Err(error.into()),
    }
}

/// One skill per department, in department order.
async fn skills(store: &dyn Store, org: OrgId) -> Result<Vec<SkillId>, DemoError> {
    let existing = store.skills(org).await?;
    let mut ids = Vec::with_capacity(DEPARTMENTS.len());
    for department in &DEPARTMENTS {
        let id = match existing.iter().find(|skill| skill.name == department.name) {
            Some(skill) => skill.id,
            None => store.create_skill(org, department.name).await?.id,
        };
        ids.push(id);
    }
    Ok(ids)
}

/// The teams, in [`TEAMS`] order.
async fn teams(store: &dyn Store, org: OrgId) -> Result<Vec<TeamId>, DemoError> {
    let existing = store.teams(org).await?;
    let mut ids = Vec::with_capacity(TEAMS.len());
    for name in TEAMS {
        let id = match existing.iter().find(|team| team.name == name) {
            Some(team) => team.id,
            None => store.create_team(org, name).await?.id,
        };
        ids.push(id);
    }
    Ok(ids)
}

/// Sunday to Thursday 08:00–20:00 and Friday 08:00–13:00.
///
/// The schedule is stored for the admin pages and the wallboard but not
/// attached to the queues: a demo has to come alive whenever someone starts
/// it, also on Saturday night.
async fn business_hours(store: &dyn Store, org: OrgId) -> Result<BusinessHours, DemoError> {
    let existing = store.business_hours_list(org).await?;
    if let Some(hours) = existing
        .into_iter()
        .find(|hours| hours.spec.name == HOURS_NAME)
    {
        return Ok(hours);
    }
    let weekdays = (0..5).map(|weekday| WeeklyInterval {
        weekday,
        opens_minute: 8 * 60,
        closes_minute: 20 * 60,
    });
    let friday = WeeklyInterval {
        weekday: 5,
        opens_minute: 8 * 60,
        closes_minute: 13 * 60,
    };
    let new = NewBusinessHours {
        name: HOURS_NAME.to_owned(),
        time_zone: ORG_TIME_ZONE.to_owned(),
        intervals: weekdays.chain([friday]).collect(),
    };
    Ok(store.create_business_hours(org, &new).await?)
}

/// One chat queue per department, requiring its skill.
async fn queues(
    store: &dyn Store,
    org: OrgId,
    skills: &[SkillId],
) -> Result<Vec<Queue>, DemoError> {
    let existing = store.queues(org).await?;
    let mut queues = Vec::with_capacity(DEPARTMENTS.len());
    for (department, skill) in DEPARTMENTS.iter().zip(skills) {
        if let Some(queue) = existing
            .iter()
            .find(|queue| queue.spec.name == department.name)
        {
            queues.push(queue.clone());
            continue;
        }
        let new = NewQueue {
            name: department.name.to_owned(),
            channel: Channel::Chat,
            skill: Some(*skill),
            service_level_seconds: department.service_level_seconds,
            auto_accept: false,
            business_hours: None,
            priority: department.priority,
            wrap_up_seconds: department.wrap_up_seconds,
            offer_timeout_seconds: 0,
        };
        queues.push(store.create_queue(org, &new).await?);
    }
    Ok(queues)
}

/// One voice queue per department ("חיובים — טלפון"), requiring its skill,
/// reached at the department's SIP address.
async fn voice_queues(
    store: &dyn Store,
    org: OrgId,
    skills: &[SkillId],
) -> Result<Vec<Queue>, DemoError> {
    let existing = store.queues(org).await?;
    let mut queues = Vec::with_capacity(DEPARTMENTS.len());
    for (department, skill) in DEPARTMENTS.iter().zip(skills) {
        let name = voice_queue_name(department);
        let queue = match existing.iter().find(|queue| queue.spec.name == name) {
            Some(queue) => queue.clone(),
            None => {
                let new = NewQueue {
                    name,
                    channel: Channel::Voice,
                    skill: Some(*skill),
                    service_level_seconds: department.service_level_seconds,
                    auto_accept: false,
                    business_hours: None,
                    priority: department.priority,
                    wrap_up_seconds: department.wrap_up_seconds,
                    offer_timeout_seconds: VOICE_RING_SECONDS,
                };
                store.create_queue(org, &new).await?
            }
        };
        store
            .put_sip_route(org, department.sip_address, queue.id)
            .await?;
        queues.push(queue);
    }
    Ok(queues)
}

/// The address the demo organization receives mail at.
pub const DEMO_MAIL_ADDRESS: &str = "service@demo.example";

/// The email queue ("דואר — שירות לקוחות", no skill required) that mail to
/// [`DEMO_MAIL_ADDRESS`] enters.
async fn email_queue(store: &dyn Store, org: OrgId) -> Result<Queue, DemoError> {
    const NAME: &str = "דואר — שירות לקוחות";
    let existing = store.queues(org).await?;
    let queue = match existing.into_iter().find(|queue| queue.spec.name == NAME) {
        Some(queue) => queue,
        None => {
            let new = NewQueue {
                name: NAME.to_owned(),
                channel: Channel::Email,
                skill: None,
                service_level_seconds: 4 * 3600,
                auto_accept: false,
                business_hours: None,
                priority: 0,
                wrap_up_seconds: 30,
                offer_timeout_seconds: 0,
            };
            store.create_queue(org, &new).await?
        }
    };
    let address = EmailAddress::parse(DEMO_MAIL_ADDRESS).expect("a valid demo address");
    store
        .put_mail_address(org, &address, queue.id, "שירות לקוחות")
        .await?;
    Ok(queue)
}

/// The name of a department's voice queue.
pub fn voice_queue_name(department: &super::Department) -> String {
    format!("{} — טלפון", department.name)
}

/// Gives each human agent its SIP account (`agent1` = 1001, …) with this
/// run's SIP password and realm.
async fn sip_accounts(
    store: &dyn Store,
    org: OrgId,
    humans: &[User],
    options: &DemoOptions,
) -> Result<Vec<DemoPhone>, DemoError> {
    let mut phones = Vec::with_capacity(humans.len());
    for (index, user) in humans.iter().enumerate() {
        let username = (FIRST_SIP_ACCOUNT + index).to_string();
        let account = NewSipAccount {
            user: user.id,
            ha1: moked_sip::ha1(&username, &options.sip_realm, &options.sip_password),
            username: username.clone(),
            realm: options.sip_realm.clone(),
        };
        store.put_sip_account(org, account).await?;
        phones.push(DemoPhone {
            login: user.login.clone(),
            username,
        });
    }
    Ok(phones)
}

/// Every department's wrap-up codes.
async fn wrap_up_codes(store: &dyn Store, org: OrgId) -> Result<Vec<WrapUpCode>, DemoError> {
    let existing = store.wrap_up_codes(org).await?;
    let mut codes = Vec::new();
    for (code, label) in DEPARTMENTS.iter().flat_map(|d| d.codes.iter()) {
        if let Some(found) = existing.iter().find(|c| c.spec.code == *code) {
            codes.push(found.clone());
            continue;
        }
        let new = NewWrapUpCode {
            code: (*code).to_owned(),
            label: (*label).to_owned(),
        };
        codes.push(store.create_wrap_up_code(org, &new).await?);
    }
    Ok(codes)
}

/// A simulated agent and the department it mainly works for.
#[derive(Debug, Clone)]
pub struct Bot {
    /// Its user record.
    pub user: User,
    /// Index into [`DEPARTMENTS`].
    pub department: usize,
}

/// The users of the demo.
struct Staff {
    humans: Vec<User>,
    bots: Vec<Bot>,
}

/// Admin, supervisor, the human agents and the bots, all with the demo
/// password.
async fn staff(
    store: &dyn Store,
    org: OrgId,
    password_hash: &str,
    teams: &[TeamId],
    bot_count: usize,
) -> Result<Staff, DemoError> {
    let account = |login: &str, name: String, role, team| Account {
        login: login.to_owned(),
        display_name: name,
        role,
        team,
        password_hash: password_hash.to_owned(),
    };
    account("admin", "מנהלת המערכת".to_owned(), Role::Admin, None)
        .ensure(store, org)
        .await?;
    account(
        "supervisor",
        "רונית כהן".to_owned(),
        Role::Supervisor,
        Some(teams[0]),
    )
    .ensure(store, org)
    .await?;
    let mut humans = Vec::with_capacity(HUMAN_AGENTS.len());
    for person in &HUMAN_AGENTS {
        let name = person.display_name.to_owned();
        let team = Some(teams[person.team]);
        humans.push(
            account(person.login, name, Role::Agent, team)
                .ensure(store, org)
                .await?,
        );
    }
    let mut bots = Vec::with_capacity(bot_count);
    for (index, department) in bot_departments(bot_count).into_iter().enumerate() {
        let login = format!("bot{:02}", index + 1);
        let name = format!("{} (בוט)", BOT_NAMES[index % BOT_NAMES.len()]);
        let team = Some(teams[usize::from(department >= 2)]);
        let user = account(&login, name, Role::Agent, team)
            .ensure(store, org)
            .await?;
        bots.push(Bot { user, department });
    }
    Ok(Staff { humans, bots })
}

/// The department of each of `count` bots: shares of the arrivals by
/// largest remainder, so the bots follow the load.
pub fn bot_departments(count: usize) -> Vec<usize> {
    let quotas: Vec<f64> = DEPARTMENTS.iter().map(|d| d.share * count as f64).collect();
    let mut counts: Vec<usize> = quotas.iter().map(|quota| quota.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..DEPARTMENTS.len()).collect();
    by_remainder.sort_by(|a, b| {
        (quotas[*b] - quotas[*b].floor()).total_cmp(&(quotas[*a] - quotas[*a].floor()))
    });
    let assigned: usize = counts.iter().sum();
    for department in by_remainder.into_iter().take(count - assigned) {
        counts[department] += 1;
    }
    counts
        .iter()
        .enumerate()
        .flat_map(|(department, n)| std::iter::repeat_n(department, *n))
        .collect()
}

/// A user the demo needs.
struct Account {
    login: String,
    display_name: String,
    role: Role,
    team: Option<TeamId>,
    password_hash: String,
}

impl Account {
    /// Creates the user, or gives the existing one this run's password.
    async fn ensure(self, store: &dyn Store, org: OrgId) -> Result<User, DemoError> {
        match store.user_by_login(org, &self.login).await {
            Ok(user) => {
                let update = UserUpdate {
                    display_name: user.display_name.clone(),
                    role: user.role,
                    team: user.team,
                    lang: user.lang.clone(),
                    password_hash: Some(self.password_hash),
                };
                Ok(store.update_user(org, user.id, &update).await?)
            }
            Err(StoreError::NotFound { .. }) => {
                let new = NewUser {
                    login: self.login,
                    display_name: self.display_name,
                    role: self.role,
                    password_hash: self.password_hash,
                    team: self.team,
                    lang: "he".to_owned(),
                };
                Ok(store.create_user(org, &new).await?)
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// Sets an agent's skills (an upsert, so a rerun changes nothing).
async fn give_skills(
    store: &dyn Store,
    org: OrgId,
    agent: UserId,
    levels: &[(usize, u8)],
    skills: &[SkillId],
) -> Result<(), DemoError> {
    for (department, level) in levels {
        let skill = AgentSkill {
            skill: skills[*department],
            level: *level,
        };
        store.set_agent_skill(org, agent, skill).await?;
    }
    Ok(())
}

/// Lets an agent hold `chats` chats at once.
async fn give_chat_capacity(
    store: &dyn Store,
    org: OrgId,
    agent: UserId,
    chats: u16,
) -> Result<(), DemoError> {
    let capacity = AgentCapacity {
        channel: Channel::Chat,
        max_concurrent: chats,
    };
    Ok(store.set_agent_capacity(org, agent, capacity).await?)
}

/// What the customers' past interactions are drawn from.
struct History<'a> {
    org: OrgId,
    queues: &'a [Queue],
    codes: &'a [WrapUpCode],
    agents: &'a [UserId],
    now: Timestamp,
}

/// Creates the customers that are missing (recognized by their phone
/// number), each with a few past interactions.
async fn customers(
    store: &dyn Store,
    options: &DemoOptions,
    history: &History<'_>,
) -> Result<(), DemoError> {
    for index in 0..options.customers {
        let mut rng = customer_rng(options.seed, index);
        let details = customer_details(index, &mut rng)?;
        if !store
            .customers_by_phone(history.org, &details.phones[0])
            .await?
            .is_empty()
        {
            continue;
        }
        let customer = store.create_customer(history.org, &details).await?;
        let past = rng.random_range(0..=MAX_PAST_INTERACTIONS);
        for _ in 0..past {
            past_interaction(store, history, customer.id, &mut rng).await?;
        }
    }
    Ok(())
}

/// Customer `index`'s own generator: customer `i` is the same whatever
/// earlier runs stored, and the traffic can find it again by number.
fn customer_rng(seed: u64, index: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9))
}

/// The details seeding gives customer `index` (the traffic uses their
/// phones, so a chat finds the customer's history).
pub(super) fn customer_details_for(seed: u64, index: usize) -> Result<NewCustomer, DemoError> {
    customer_details(index, &mut customer_rng(seed, index))
}

/// Customer number `index`: a Hebrew name, a unique mobile number, for some
/// an email and an Israeli ID with its check digit.
fn customer_details(index: usize, rng: &mut StdRng) -> Result<NewCustomer, DemoError> {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let prefix = MOBILE_PREFIXES[index % MOBILE_PREFIXES.len()];
    // 7_919 is coprime to 10⁷, so distinct indexes give distinct numbers.
    let subscriber = (1_000_000 + index as u64 * 7_919) % 10_000_000;
    let phone = PhoneE164::parse(&format!("{prefix}-{subscriber:07}"))
        .map_err(|error| DemoError::Data(format!("demo phone number: {error}")))?;
    let israeli_id = if rng.random_bool(0.6) {
        let body = rng.random_range(10_000_000..40_000_000);
        Some(IsraeliId::from_body(body).map_err(|e| DemoError::Data(format!("demo ID: {e}")))?)
    } else {
        None
    };
    let emails = if rng.random_bool(0.5) {
        let address = format!("customer{index}@example.co.il");
        vec![
            EmailAddress::parse(&address)
                .map_err(|e| DemoError::Data(format!("demo email: {e}")))?,
        ]
    } else {
        Vec::new()
    };
    let tier = match rng.random_range(0..10) {
        0 => CustomerTier::Vip,
        1..=2 => CustomerTier::Premium,
        _ => CustomerTier::Standard,
    };
    Ok(NewCustomer {
        name: format!("{first} {last}"),
        phones: vec![phone],
        emails,
        israeli_id,
        tier,
        notes: CUSTOMER_NOTES[rng.random_range(0..CUSTOMER_NOTES.len())].to_owned(),
    })
}

/// One finished interaction some days ago: queued, offered, accepted,
/// ended and wrapped up (or abandoned while waiting), with a short Hebrew
/// conversation when it was a chat.
async fn past_interaction(
    store: &dyn Store,
    history: &History<'_>,
    customer: moked_store::CustomerId,
    rng: &mut StdRng,
) -> Result<(), DemoError> {
    let department = rng.random_range(0..history.queues.len());
    let queue = history.queues[department].id;
    let channel =
        [Channel::Chat, Channel::Chat, Channel::Voice, Channel::Email][rng.random_range(0..4)];
    let days_back = rng.random_range(1..=HISTORY_DAYS);
    let minutes_back = days_back * 24 * 60 - rng.random_range(0..12 * 60);
    let start = history.now - Span::new().minutes(minutes_back);
    let new = NewInteraction {
        channel,
        queue,
        customer: Some(customer),
        created_at: start,
    };
    let interaction = store.create_interaction(history.org, &new).await?;
    let agent = history.agents[rng.random_range(0..history.agents.len())];
    let wait = Span::new().seconds(rng.random_range(5..240));
    let abandoned = rng.random_bool(0.1);
    let mut steps = vec![(start, TimelineStep::Queued { queue })];
    let connected = start + wait;
    if abandoned {
        steps.push((connected, TimelineStep::Ended));
    } else {
        let handle = Span::new().seconds(rng.random_range(120..900));
        let department_codes = DEPARTMENTS[department].codes;
        let code_name = department_codes[rng.random_range(0..department_codes.len())].0;
        let code = history
            .codes
            .iter()
            .find(|code| code.spec.code == code_name)
            .map(|code| code.id)
            .ok_or_else(|| DemoError::Data(format!("wrap-up code {code_name} missing")))?;
        steps.push((
            connected - Span::new().seconds(4),
            TimelineStep::Offered { agent },
        ));
        steps.push((connected, TimelineStep::Accepted { agent }));
        steps.push((connected + handle, TimelineStep::Ended));
        let wrapped = connected + handle + Span::new().seconds(20);
        steps.push((wrapped, TimelineStep::WrappedUp { agent, code }));
        if channel == Channel::Chat {
            let talk = Conversation {
                interaction: interaction.id,
                agent,
                department,
                start: connected,
            };
            talk.store(store, history.org, rng).await?;
        }
    }
    for (at, step) in steps {
        store
            .append_timeline(history.org, interaction.id, &TimelineEntry { at, step })
            .await?;
    }
    Ok(())
}

/// A past chat's messages.
struct Conversation {
    interaction: InteractionId,
    agent: UserId,
    department: usize,
    start: Timestamp,
}

impl Conversation {
    /// Stores a customer's opening, a few exchanges and the goodbyes.
    async fn store(
        &self,
        store: &dyn Store,
        org: OrgId,
        rng: &mut StdRng,
    ) -> Result<(), DemoError> {
        let openings = DEPARTMENTS[self.department].openings;
        let mut lines = vec![
            (
                Sender::Customer,
                openings[rng.random_range(0..openings.len())],
            ),
            (
                Sender::Agent(self.agent),
                AGENT_REPLIES[rng.random_range(0..AGENT_REPLIES.len())],
            ),
            (
                Sender::Customer,
                CUSTOMER_FOLLOW_UPS[rng.random_range(0..CUSTOMER_FOLLOW_UPS.len())],
            ),
            (
                Sender::Agent(self.agent),
                AGENT_REPLIES[rng.random_range(0..AGENT_REPLIES.len())],
            ),
            (
                Sender::Customer,
                CUSTOMER_THANKS[rng.random_range(0..CUSTOMER_THANKS.len())],
            ),
        ];
        lines.push((
            Sender::Agent(self.agent),
            AGENT_CLOSINGS[rng.random_range(0..AGENT_CLOSINGS.len())],
        ));
        for (index, (sender, body)) in lines.into_iter().enumerate() {
            let message = NewMessage {
                interaction: self.interaction,
                sender,
                body: body.to_owned(),
                idempotency_key: format!("demo-history-{index}"),
                sent_at: self.start + Span::new().seconds(20 * index as i64),
            };
            store.insert_message(org, &message).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_follow_the_departments_shares() {
        let twelve = bot_departments(12);
        let per = |d| twelve.iter().filter(|x| **x == d).count();
        assert_eq!((per(0), per(1), per(2), per(3)), (5, 4, 2, 1));
        assert_eq!(bot_departments(0), Vec::<usize>::new());
        assert_eq!(bot_departments(1), vec![0]);
    }

    #[test]
    fn demo_customers_have_hebrew_names_valid_mobiles_and_are_reproducible() {
        let first = customer_details_for(7, 3).unwrap();
        assert_eq!(first, customer_details_for(7, 3).unwrap());
        assert!(
            first
                .name
                .chars()
                .any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c)),
            "{}",
            first.name
        );
        let phone = first.phones[0].as_str();
        assert!(
            phone.starts_with("+9725") && phone.len() == 13,
            "{}",
            first.phones[0].masked()
        );
        let phones: std::collections::HashSet<_> = (0..200)
            .map(|i| customer_details_for(7, i).unwrap().phones[0].clone())
            .collect();
        assert_eq!(
            phones.len(),
            200,
            "every demo customer has their own number"
        );
        let ids = (0..200)
            .filter_map(|i| customer_details_for(7, i).unwrap().israeli_id)
            .count();
        assert!(
            (80..=160).contains(&ids),
            "about 60% have an ID number: {ids}"
        );
    }
}
