//! The supervisor's wallboard: every queue and agent now and today, and
//! one agent in detail, with the open tickets' SLA warnings and breaches.
//! Supervisors and admins only.

use crate::api::ApiPath;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::sla::SlaBoard;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use moked_live::{AgentDetail, Wallboard};
use moked_store::{Role, UserId};
use serde::Serialize;

/// The wallboard with the open tickets' SLA warnings and breaches.
#[derive(Debug, Serialize)]
pub struct BoardView {
    #[serde(flatten)]
    board: Wallboard,
    sla: SlaBoard,
}

/// `GET /wallboard`.
pub async fn board(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<BoardView>> {
    caller.require(Role::Supervisor)?;
    Ok(Json(BoardView {
        board: state.live.wallboard(caller.org).await?,
        sla: state.sla.board(caller.org),
    }))
}

/// `GET /wallboard/agents/{id}`.
pub async fn agent(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AgentDetail>> {
    caller.require(Role::Supervisor)?;
    Ok(Json(state.live.agent_detail(caller.org, UserId(id)).await?))
}

/// Chats waiting in a queue and chats held by agents now (for `/metrics`).
pub fn chat_counts(board: &Wallboard) -> (u64, u64) {
    let waiting = board.queues.iter().map(|q| u64::from(q.waiting)).sum();
    let active = board.agents.iter().map(|a| u64::from(a.active_chats)).sum();
    (waiting, active)
}
