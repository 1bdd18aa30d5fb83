//! Who may do what: project roles as Harbor defines them, robot scopes, and the one decision
//! function every endpoint asks. Deny by default: no project, no membership, no grant.
//!
//! | role           | pull | push | delete | list members | manage members, robots |
//! |----------------|------|------|--------|--------------|------------------------|
//! | admin          | yes  | yes  | yes    | yes          | yes                    |
//! | maintainer     | yes  | yes  | yes    | yes          | no                     |
//! | developer      | yes  | yes  | no     | yes          | no                     |
//! | reader (guest) | yes  | no   | no     | yes          | no                     |
//! | limited-guest  | yes  | no   | no     | no           | no                     |
//!
//! A system administrator may do everything; anyone, signed in or not, may pull from a public
//! project; a robot may do exactly its scopes in its one project until it expires.

use std::fmt;

use crate::error::RegistryError;
use crate::meta::{now, Meta};
use crate::names::project_of;

/// Something a principal may do in a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Read manifests, blobs, tags and referrers.
    Pull,
    /// Upload blobs and manifests, move tags.
    Push,
    /// Delete manifests, tags and blob links.
    Delete,
    /// See the project's members.
    ListMembers,
    /// Add or change members and create robots.
    Manage,
}

impl Action {
    /// The action's name (also the token scope action for pull/push/delete).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pull => "pull",
            Action::Push => "push",
            Action::Delete => "delete",
            Action::ListMembers => "list-members",
            Action::Manage => "manage",
        }
    }

    /// Parse a token-scope or robot-scope action.
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "pull" => Action::Pull,
            "push" => Action::Push,
            "delete" => Action::Delete,
            "list-members" => Action::ListMembers,
            "manage" => Action::Manage,
            _ => return None,
        })
    }

    /// Every action, for table tests and token scope `*`.
    pub const ALL: [Action; 5] = [
        Action::Pull,
        Action::Push,
        Action::Delete,
        Action::ListMembers,
        Action::Manage,
    ];
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member's role in a project (Harbor's five project roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Project admin: everything in the project.
    Admin,
    /// Maintainer: pull, push, delete; no member management.
    Maintainer,
    /// Developer: pull and push.
    Developer,
    /// Reader (Harbor's "guest"): pull, see members.
    Reader,
    /// Limited guest: pull only.
    LimitedGuest,
}

impl Role {
    /// Parse a role name (`guest` is accepted for `reader`).
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" | "project-admin" => Role::Admin,
            "maintainer" => Role::Maintainer,
            "developer" => Role::Developer,
            "reader" | "guest" => Role::Reader,
            "limited-guest" | "limited_guest" => Role::LimitedGuest,
            _ => return None,
        })
    }

    /// The role's canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Maintainer => "maintainer",
            Role::Developer => "developer",
            Role::Reader => "reader",
            Role::LimitedGuest => "limited-guest",
        }
    }

    /// Whether the role permits `action`.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Maintainer => matches!(action, Pull | Push | Delete | ListMembers),
            Role::Developer => matches!(action, Pull | Push | ListMembers),
            Role::Reader => matches!(action, Pull | ListMembers),
            Role::LimitedGuest => matches!(action, Pull),
        }
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nobody signed in.
    Anonymous,
    /// A user.
    User {
        /// User name.
        name: String,
        /// System administrator.
        admin: bool,
    },
    /// A robot account.
    Robot {
        /// Full robot name.
        name: String,
        /// Its project.
        project: String,
        /// Its actions.
        scopes: Vec<Action>,
        /// Expiry, Unix seconds.
        expires: Option<i64>,
    },
}

impl Principal {
    /// The name recorded in the audit log (`anonymous` for nobody).
    pub fn name(&self) -> &str {
        match self {
            Principal::Anonymous => "anonymous",
            Principal::User { name, .. } | Principal::Robot { name, .. } => name,
        }
    }

    /// Whether this is the system administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::User { admin: true, .. })
    }
}

/// Whether `who` may do `action` in `project` (a project name, not a repository).
pub fn allowed_in_project(
    meta: &Meta,
    who: &Principal,
    project: &str,
    action: Action,
) -> Result<bool, RegistryError> {
    let Some(public) = meta.project_public(project)? else {
        return Ok(false);
    };
    if public && action == Action::Pull {
        return Ok(true);
    }
    Ok(match who {
        Principal::Anonymous => false,
        Principal::User { admin: true, .. } => true,
        Principal::User { name, .. } => meta
            .member_role(project, name)?
            .and_then(|r| Role::parse(&r))
            .is_some_and(|r| r.allows(action)),
        Principal::Robot {
            project: p,
            scopes,
            expires,
            ..
        } => p == project && scopes.contains(&action) && expires.is_none_or(|e| e > now()),
    })
}

/// Whether `who` may do `action` on repository `repo`.
pub fn allowed(
    meta: &Meta,
    who: &Principal,
    repo: &str,
    action: Action,
) -> Result<bool, RegistryError> {
    allowed_in_project(meta, who, project_of(repo), action)
}
