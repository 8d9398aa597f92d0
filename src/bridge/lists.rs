//! The window's two small lists, as Qt list models: the listeners found on the LAN
//! (Nearby, with its filter) and the peers connected (Peers).

use super::qobject::{NearbyModel, PeersModel};
use crate::engine::chat::Peer;
use crate::engine::discovery::Nearby;
use crate::engine::event::ip_port;
use crate::i18n::Speech;
use core::pin::Pin;
use cxx_qt::CxxQtType;
use cxx_qt_lib::{QByteArray, QHash, QHashPair_i32_QByteArray, QModelIndex, QString, QVariant};

/// The Rust side of [`NearbyModel`].
#[derive(Default)]
pub struct NearbyModelRust {
    /// Every listener found, in the engine's order (by name).
    all: Vec<Nearby>,
    /// What the filter field holds, in lower case.
    filter: String,
    /// Those of `all` the filter lets through: the rows.
    shown: Vec<Nearby>,
}

/// The Nearby list's roles, from Qt::UserRole + 1.
const NEARBY_ROLES: [(i32, &str); 5] = [
    (0x0101, "name"),
    (0x0102, "address"),
    (0x0103, "port"),
    (0x0104, "host"),
    (0x0105, "addresses"),
];

/// Whether `nearby` has `filter` (lower case) in its name, an address or its host.
fn matches(nearby: &Nearby, filter: &str) -> bool {
    filter.is_empty()
        || nearby.name.to_lowercase().contains(filter)
        || nearby.host.to_lowercase().contains(filter)
        || nearby.addresses.iter().any(|a| a.contains(filter))
}

impl NearbyModel {
    /// Shows `found` instead of what was there (through the filter).
    pub fn replace(mut self: Pin<&mut Self>, found: Vec<Nearby>) {
        if self.all == found {
            return;
        }
        self.as_mut().rust_mut().get_mut().all = found;
        self.show();
    }

    /// Shows only the listeners with `text` (any case) in their name, address or host.
    pub fn set_filter(mut self: Pin<&mut Self>, text: String) {
        let filter = text.trim().to_lowercase();
        if self.filter == filter {
            return;
        }
        self.as_mut().rust_mut().get_mut().filter = filter;
        self.show();
    }

    fn show(mut self: Pin<&mut Self>) {
        let shown: Vec<Nearby> = self
            .all
            .iter()
            .filter(|n| matches(n, &self.filter))
            .cloned()
            .collect();
        if self.shown == shown {
            return;
        }
        // SAFETY: begin/end pair around the change they announce, on the Qt thread.
        unsafe {
            self.as_mut().begin_reset_model();
            self.as_mut().rust_mut().get_mut().shown = shown;
            self.as_mut().end_reset_model();
        }
    }

    pub fn data(&self, index: &QModelIndex, role: i32) -> QVariant {
        let Some(nearby) = usize::try_from(index.row())
            .ok()
            .and_then(|i| self.shown.get(i))
        else {
            return QVariant::default();
        };
        let text = match role {
            0x0101 => nearby.name.clone(),
            0x0102 => nearby.address().to_string(),
            0x0103 => return QVariant::from(&i32::from(nearby.port)),
            0x0104 => nearby.host.clone(),
            0x0105 => nearby.addresses.join(", "),
            _ => return QVariant::default(),
        };
        QVariant::from(&QString::from(text.as_str()))
    }

    pub fn role_names(&self) -> QHash<QHashPair_i32_QByteArray> {
        roles(&NEARBY_ROLES)
    }

    pub fn row_count(&self, _parent: &QModelIndex) -> i32 {
        self.shown.len() as i32
    }
}

/// The Rust side of [`PeersModel`].
#[derive(Default)]
pub struct PeersModelRust {
    peers: Vec<Peer>,
    /// What TCP says of each, in words (empty until first asked).
    details: Vec<String>,
}

/// The Peers list's roles, from Qt::UserRole + 1.
const PEER_ROLES: [(i32, &str); 6] = [
    (0x0101, "number"),
    (0x0102, "remote"),
    (0x0103, "local"),
    (0x0104, "address"),
    (0x0105, "outgoing"),
    (0x0106, "tcp"),
];

impl PeersModel {
    /// Shows `peers` instead of what was there; a connection still listed keeps its
    /// details until they are asked anew.
    pub fn replace(mut self: Pin<&mut Self>, peers: Vec<Peer>) {
        let unchanged = peers.len() == self.peers.len()
            && peers.iter().zip(&self.peers).all(|(a, b)| a.same(b));
        if unchanged {
            return;
        }
        let details: Vec<String> = peers
            .iter()
            .map(|p| {
                self.peers
                    .iter()
                    .position(|old| old.same(p))
                    .and_then(|i| self.details.get(i).cloned())
                    .unwrap_or_default()
            })
            .collect();
        // SAFETY: begin/end pair around the change they announce, on the Qt thread.
        unsafe {
            self.as_mut().begin_reset_model();
            let mut this = self.as_mut().rust_mut();
            this.peers = peers;
            this.details = details;
            self.as_mut().end_reset_model();
        }
    }

    /// Shows what TCP says of each peer now (`asked`: the peers with their details, in
    /// the list's order), row by row; a list that changed meanwhile waits for the next.
    pub fn show_details(mut self: Pin<&mut Self>, asked: Vec<Peer>, speech: Speech) {
        let same = asked.len() == self.peers.len()
            && asked.iter().zip(&self.peers).all(|(a, p)| a.same(p));
        if !same || asked.is_empty() {
            return;
        }
        let details: Vec<String> = asked
            .iter()
            .map(|p| {
                p.tcp
                    .as_ref()
                    .map(|t| speech.tcp_details(t))
                    .unwrap_or_default()
            })
            .collect();
        if details == self.details {
            return;
        }
        self.as_mut().rust_mut().details = details;
        let last = self.peers.len() as i32 - 1;
        let root = QModelIndex::default();
        let (first, last) = (self.index(0, 0, &root), self.index(last, 0, &root));
        self.data_changed(&first, &last, &cxx_qt_lib::QVector::default());
    }

    pub fn data(&self, index: &QModelIndex, role: i32) -> QVariant {
        let Some(peer) = usize::try_from(index.row())
            .ok()
            .and_then(|i| self.peers.get(i))
        else {
            return QVariant::default();
        };
        let text = match role {
            0x0101 => peer
                .number
                .map_or_else(|| "out".to_string(), |n| n.to_string()),
            0x0102 => ip_port(&peer.remote),
            0x0103 => peer.local.as_ref().map(ip_port).unwrap_or_default(),
            0x0104 => peer.remote.ip().to_canonical().to_string(),
            0x0105 => return QVariant::from(&peer.number.is_none()),
            0x0106 => self
                .details
                .get(index.row() as usize)
                .cloned()
                .unwrap_or_default(),
            _ => return QVariant::default(),
        };
        QVariant::from(&QString::from(text.as_str()))
    }

    pub fn role_names(&self) -> QHash<QHashPair_i32_QByteArray> {
        roles(&PEER_ROLES)
    }

    pub fn row_count(&self, _parent: &QModelIndex) -> i32 {
        self.peers.len() as i32
    }
}

fn roles(names: &[(i32, &str)]) -> QHash<QHashPair_i32_QByteArray> {
    let mut roles = QHash::<QHashPair_i32_QByteArray>::default();
    for (role, name) in names {
        roles.insert(*role, QByteArray::from(*name));
    }
    roles
}
