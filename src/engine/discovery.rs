//! Finding each other on a LAN without typing addresses: DNS-SD over multicast DNS
//! (RFC 6763 over RFC 6762), as Raspberry Pi OS's avahi-daemon speaks it.
//!
//! - While listening, the chat is announced as `<host name>._tcp-chat._tcp.local.`
//!   (renamed `<host name> (2)` if that is taken), with its real port, `TXT v=<version>`
//!   and the addresses of every interface it listens on, IPv4 and IPv6. Close, and
//!   quitting, withdraw it at once with goodbye packets (TTL 0). A listener on loopback
//!   only is not announced.
//! - The listeners announced by others are kept as a live list ([`Nearby`]), without
//!   our own.
//! - A `.local` host name is looked up by multicast DNS too.
//!
//! The `mdns-sd` crate does the protocol: pure Rust, one thread, its sockets bound to
//! UDP 5353 with SO_REUSEADDR and SO_REUSEPORT as RFC 6762 §15.1 asks, so it works
//! beside an avahi-daemon that owns the port, and where none runs.

use super::error::{Error, IoCause};
use mdns_sd::{
    HostnameResolutionEvent, IfKind, ScopedIp, ServiceDaemon, ServiceEvent, ServiceInfo,
};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, SocketAddrV6};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The DNS-SD service type of a tcp-chat listener.
pub const SERVICE_TYPE: &str = "_tcp-chat._tcp.local.";

/// How long the goodbye packets may take to go out when quitting.
const GOODBYE_WAIT: Duration = Duration::from_secs(1);

/// How long an answer for our host name is waited for before taking it. Taking a name
/// that avahi-daemon answers for renames the machine (a conflict), so a slow answer
/// (a busy Pi, or a test machine starting a window) must still be heard: 250 ms was
/// missed once in a run of the test suite here. The check runs when the chat starts,
/// before Listen, so only a `--listen` at start waits for it.
const NAME_CHECK_WAIT: Duration = Duration::from_secs(1);

/// A tcp-chat listener found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearby {
    /// Its instance name: the other machine's host name (`raspberrypi`, `pc (2)`).
    pub name: String,
    /// Its host's mDNS name, without the final dot (`raspberrypi.local`).
    pub host: String,
    /// Where to connect, best first: LAN IPv4, global IPv6, loopback, then link-local
    /// IPv6 with its interface (`fe80::1%eth0`).
    pub addresses: Vec<String>,
    pub port: u16,
    /// The tcp-chat version it announces (`TXT v=`).
    pub version: String,
}

impl Nearby {
    /// The address to put in the IP field.
    pub fn address(&self) -> &str {
        self.addresses
            .first()
            .map_or(self.host.as_str(), |a| a.as_str())
    }
}

/// Our announcement and what we found, shared with the browsing thread.
#[derive(Default)]
struct State {
    /// What we announce: its full name, host and port.
    own: Option<(String, String, u16)>,
    /// Every listener found, by full name (our own too), with when it was last heard.
    found: BTreeMap<String, Heard>,
    /// Counts announcements heard: the `heard` of the newest.
    heard: u64,
    /// Counts announcements and withdrawals: an announcement still choosing its host
    /// name is dropped when this moved on.
    generation: u64,
}

/// A listener found, and the count of announcements when it was last heard.
struct Heard {
    nearby: Nearby,
    heard: u64,
}

/// The most listeners kept: a peer announcing thousands cannot grow the list (or the
/// window's) without bound. A classroom has 20 to 30.
pub const MAX_NEARBY: usize = 256;

/// The most listeners kept with one address: a machine runs a few chats at most, so a
/// device or prank announcing thousands of made-up ones takes no more room than this,
/// and the others' entries stay.
pub const MAX_NEARBY_PER_ADDRESS: usize = 4;

/// How often at most a front end is told that the list changed: a flood of
/// announcements costs its Qt thread four list refreshes a second, not one each.
pub const CHANGE_PACE: Duration = Duration::from_millis(250);

impl State {
    /// Keeps `nearby` under `fullname`. A newcomer makes room when the list is full, or
    /// when its address has its share already: the entry (of the list, or of that
    /// address) heard from longest ago goes. Returns whether the list changed.
    fn remember(&mut self, fullname: String, nearby: Nearby) -> bool {
        self.heard += 1;
        let heard = self.heard;
        if let Some(known) = self.found.get_mut(&fullname) {
            known.heard = heard;
            if known.nearby == nearby {
                return false;
            }
            known.nearby = nearby;
            return true;
        }
        let address = nearby.address().to_string();
        let same_address = |h: &Heard| h.nearby.address() == address;
        if self.found.values().filter(|h| same_address(h)).count() >= MAX_NEARBY_PER_ADDRESS {
            self.forget_stalest(same_address);
        }
        if self.found.len() >= MAX_NEARBY {
            self.forget_stalest(|_| true);
        }
        self.found.insert(fullname, Heard { nearby, heard });
        true
    }

    /// Forgets the entry among `which` heard from longest ago.
    fn forget_stalest(&mut self, which: impl Fn(&Heard) -> bool) {
        let stalest = self
            .found
            .iter()
            .filter(|(_, h)| which(h))
            .min_by_key(|(_, h)| h.heard)
            .map(|(name, _)| name.clone());
        if let Some(name) = stalest {
            self.found.remove(&name);
        }
    }
}

/// The mDNS responder and browser of one chat.
pub struct Discovery {
    daemon: ServiceDaemon,
    state: Arc<Mutex<State>>,
    /// The host name announced, chosen at the first announcement.
    host_name: Arc<OnceLock<String>>,
}

impl Discovery {
    /// Starts the mDNS thread and browses for tcp-chat listeners; `on_change` is called
    /// (on that thread) each time the list of [`Discovery::nearby`] may have changed.
    pub fn start(on_change: impl Fn() + Send + 'static) -> Result<Arc<Self>, Error> {
        // The mDNS library's own words are all there is to say of its failures.
        let failed = |e: mdns_sd::Error| Error::Discovery {
            detail: e.to_string(),
        };
        let daemon = ServiceDaemon::new().map_err(failed)?;
        let events = daemon.browse(SERVICE_TYPE).map_err(failed)?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::Builder::new()
            .name("tcp-chat-nearby".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                // Ends when the daemon shuts down and drops its end. A change is told
                // at once after a quiet spell, then at most once a CHANGE_PACE.
                let mut told = Instant::now() - CHANGE_PACE;
                let mut untold = false;
                loop {
                    let event = if untold {
                        match events.recv_deadline(told + CHANGE_PACE) {
                            Ok(event) => Some(event),
                            Err(mdns_sd::RecvTimeoutError::Timeout) => None,
                            Err(mdns_sd::RecvTimeoutError::Disconnected) => break,
                        }
                    } else {
                        match events.recv() {
                            Ok(event) => Some(event),
                            Err(_) => break,
                        }
                    };
                    if let Some(event) = event {
                        let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
                        untold |= match event {
                            ServiceEvent::ServiceResolved(service) => {
                                let nearby = Nearby {
                                    name: instance_name(&service.fullname),
                                    host: service.host.trim_end_matches('.').to_string(),
                                    addresses: best_first(&service.addresses),
                                    port: service.port,
                                    version: service
                                        .txt_properties
                                        .get_property_val_str("v")
                                        .unwrap_or_default()
                                        .to_string(),
                                };
                                state.remember(service.fullname.clone(), nearby)
                            }
                            ServiceEvent::ServiceRemoved(_, fullname) => {
                                state.found.remove(&fullname).is_some()
                            }
                            _ => false,
                        };
                    }
                    if untold && told.elapsed() >= CHANGE_PACE {
                        untold = false;
                        told = Instant::now();
                        on_change();
                    }
                }
            })
            .map_err(|e| Error::Discovery {
                detail: IoCause::of(&e).system,
            })?;
        let discovery = Arc::new(Self {
            daemon,
            state,
            host_name: Arc::new(OnceLock::new()),
        });
        // The host name is chosen now, so that Listen later announces at once.
        let (daemon, host_name) = (discovery.daemon.clone(), discovery.host_name.clone());
        let choosing = std::thread::Builder::new()
            .name("tcp-chat-host-name".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                host_name.get_or_init(|| choose_host_name(&daemon));
            });
        drop(choosing); // no thread: the first announcement chooses it
        Ok(discovery)
    }

    /// Announces our listener on `port`, bound to `bind` (`None`: every interface), as
    /// `name` (`None`: the host name), from
    /// a thread of its own (choosing the host name takes a question on the network).
    /// Nothing is announced for a loopback address: nobody else could connect.
    pub fn announce(&self, port: u16, bind: Option<IpAddr>, name: Option<&str>) {
        self.withdraw();
        if bind.is_some_and(|ip| ip.is_loopback()) {
            return;
        }
        let generation = self.lock().generation;
        // The name others see: the one given (`--name`), else this machine's host name.
        let instance = name.map_or_else(super::hostinfo::host_name, str::to_string);
        let (daemon, state, host_name) = (
            self.daemon.clone(),
            self.state.clone(),
            self.host_name.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("tcp-chat-announce".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let host_name = host_name.get_or_init(|| choose_host_name(&daemon));
                let Some(info) = service_info(&instance, host_name, port, bind) else {
                    return; // a name mdns-sd cannot take: the chat goes on unannounced
                };
                let fullname = info.get_fullname().to_string();
                let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
                // Withdrawn (or announced again) meanwhile: this one is not wanted.
                if state.generation == generation && daemon.register(info).is_ok() {
                    state.own = Some((fullname, host_name.trim_end_matches('.').into(), port));
                }
            });
        drop(spawned); // no thread: the chat goes on unannounced
    }

    /// Withdraws our announcement, if any: the goodbye packets go out from the mDNS
    /// thread, without waiting here.
    pub fn withdraw(&self) {
        let mut state = self.lock();
        state.generation += 1;
        if let Some((fullname, ..)) = state.own.take() {
            let _ = self.daemon.unregister(&fullname);
        }
    }

    /// The tcp-chat listeners found on the LAN, our own left out, sorted by name.
    pub fn nearby(&self) -> Vec<Nearby> {
        let state = self.lock();
        let own = state.own.as_ref();
        let mut found = state
            .found
            .iter()
            .map(|(fullname, heard)| (fullname, &heard.nearby))
            .filter(|(fullname, found)| {
                own.is_none_or(|(own_name, own_host, own_port)| {
                    // Ours, under the name it had to take if the first was taken.
                    !(fullname.eq_ignore_ascii_case(own_name)
                        || (found.host.eq_ignore_ascii_case(own_host) && found.port == *own_port))
                })
            })
            .map(|(_, found)| found.clone())
            .collect::<Vec<_>>();
        // As a person looks for a name: any case, then the address telling two apart.
        found.sort_by_cached_key(|n| (n.name.to_lowercase(), n.address().to_string()));
        found
    }

    /// The addresses of `host` (a `.local` name) by multicast DNS, within `timeout`; with
    /// port 0, IPv4 first and link-local last. Empty when nobody answered. The question
    /// goes out again after 1 s, 2 s, ... (mdns-sd's backoff), and an announcement heard
    /// meanwhile answers it too: a host still claiming its name answers late.
    pub fn resolve(&self, host: &str, timeout: Duration) -> Vec<SocketAddr> {
        let name = format!("{}.", host.trim_end_matches('.'));
        let mut found = ask(&self.daemon, &name, timeout);
        found.sort_by_key(|addr| match addr.ip() {
            IpAddr::V4(_) => 0,
            IpAddr::V6(v6) if v6.is_unicast_link_local() => 2,
            IpAddr::V6(_) => 1,
        });
        found
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Withdraws the announcement and stops the mDNS thread, waiting a moment for the
    /// goodbye packets to go (a stop asks this first, before anything else ends).
    pub fn shut_down(&self) {
        self.withdraw();
        if let Ok(done) = self.daemon.shutdown() {
            let _ = done.recv_timeout(GOODBYE_WAIT);
        }
    }
}

impl Drop for Discovery {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// One question for `name`, waiting `wait` for the answer.
fn ask(daemon: &ServiceDaemon, name: &str, wait: Duration) -> Vec<SocketAddr> {
    let millis = wait.as_millis().clamp(1, u128::from(u64::MAX)) as u64;
    let Ok(events) = daemon.resolve_hostname(name, Some(millis)) else {
        std::thread::sleep(wait); // the daemon is gone: nobody will answer
        return Vec::new();
    };
    let deadline = Instant::now() + wait;
    let mut found = Vec::new();
    while let Ok(event) = events.recv_deadline(deadline) {
        match event {
            HostnameResolutionEvent::AddressesFound(_, addresses) => {
                found.extend(addresses.iter().map(socket_addr));
                break;
            }
            HostnameResolutionEvent::SearchTimeout(_)
            | HostnameResolutionEvent::SearchStopped(_) => break,
            _ => {}
        }
    }
    let _ = daemon.stop_resolve_hostname(name);
    found
}

/// The host name to announce: this machine's `<name>.local.`, unless something on the
/// network answers for it already (avahi-daemon, on Raspberry Pi OS and most Linux
/// desktops), which would take publishing it again as a conflict and rename the
/// machine; then `<name>-tcp-chat.local.`, ours alone.
fn choose_host_name(daemon: &ServiceDaemon) -> String {
    let label = dns_label(&super::hostinfo::host_name());
    let taken = !ask(daemon, &format!("{label}.local."), NAME_CHECK_WAIT).is_empty();
    if taken {
        format!("{label}-tcp-chat.local.")
    } else {
        format!("{label}.local.")
    }
}

/// What to announce: the service, its host name and the addresses to give.
fn service_info(
    instance: &str,
    host_name: &str,
    port: u16,
    bind: Option<IpAddr>,
) -> Option<ServiceInfo> {
    let version = [("v", env!("CARGO_PKG_VERSION"))];
    match bind.filter(|ip| !ip.is_unspecified()) {
        // Every interface: each answers with its own addresses, as they come and go.
        None => ServiceInfo::new(SERVICE_TYPE, instance, host_name, "", port, &version[..])
            .map(ServiceInfo::enable_addr_auto)
            .ok(),
        Some(ip) => ServiceInfo::new(SERVICE_TYPE, instance, host_name, ip, port, &version[..])
            .map(|mut info| {
                info.set_interfaces(vec![IfKind::Addr(ip)]);
                info
            })
            .ok(),
    }
}

/// `pc (2)` of `pc (2)._tcp-chat._tcp.local.`.
fn instance_name(fullname: &str) -> String {
    fullname
        .strip_suffix(SERVICE_TYPE)
        .map(|name| name.trim_end_matches('.'))
        .unwrap_or(fullname)
        .replace("\\.", ".")
        .replace("\\\\", "\\")
}

/// A host name as one DNS label: letters, digits and hyphens.
fn dns_label(host: &str) -> String {
    let label: String = host
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(63)
        .collect();
    let label = label.trim_matches('-');
    if label.is_empty() {
        "tcp-chat".to_string()
    } else {
        label.to_string()
    }
}

fn socket_addr(ip: &ScopedIp) -> SocketAddr {
    match ip {
        ScopedIp::V6(v6) => {
            let scope = if v6.addr().is_unicast_link_local() {
                v6.scope_id().index
            } else {
                0
            };
            SocketAddr::V6(SocketAddrV6::new(*v6.addr(), 0, 0, scope))
        }
        other => SocketAddr::new(other.to_ip_addr(), 0),
    }
}

/// The addresses as a person would type them, most useful first.
fn best_first(addresses: &std::collections::HashSet<ScopedIp>) -> Vec<String> {
    let mut ranked: Vec<(u8, String)> = addresses
        .iter()
        .map(|ip| match ip {
            ScopedIp::V6(v6) if v6.addr().is_unicast_link_local() => {
                (4, format!("{}%{}", v6.addr(), v6.scope_id().name))
            }
            _ => {
                let addr = ip.to_ip_addr();
                let rank = match addr {
                    _ if addr.is_loopback() => 3,
                    IpAddr::V4(_) => 0,
                    IpAddr::V6(v6) if v6.is_unique_local() => 2,
                    IpAddr::V6(_) => 1,
                };
                (rank, addr.to_string())
            }
        })
        .collect();
    ranked.sort();
    ranked.dedup();
    ranked.into_iter().map(|(_, text)| text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_name_is_the_full_name_without_the_service_type() {
        assert_eq!(instance_name("pc._tcp-chat._tcp.local."), "pc");
        assert_eq!(instance_name("pc (2)._tcp-chat._tcp.local."), "pc (2)");
        assert_eq!(instance_name("a\\.b._tcp-chat._tcp.local."), "a.b");
    }

    fn flood(n: usize, address: &str) -> Nearby {
        Nearby {
            name: format!("flood{n}"),
            host: format!("flood{n}.local"),
            addresses: vec![address.into()],
            port: 1,
            version: String::new(),
        }
    }

    fn names(state: &State) -> Vec<String> {
        state
            .found
            .values()
            .map(|h| h.nearby.name.clone())
            .collect()
    }

    #[test]
    fn the_list_of_listeners_found_is_bounded_and_still_takes_a_newcomer() {
        let mut state = State::default();
        // Every made-up one with an address of its own: the list's own bound holds.
        for n in 0..MAX_NEARBY * 4 {
            let address = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            state.remember(
                format!("flood{n}._tcp-chat._tcp.local."),
                flood(n, &address),
            );
        }
        assert_eq!(state.found.len(), MAX_NEARBY);
        // A real one heard now gets in, in place of the one heard from longest ago.
        let oldest = names(&state)
            .into_iter()
            .min_by_key(|n| n[5..].parse::<usize>().unwrap());
        let mut minji = flood(0, "192.168.0.20");
        minji.name = "Minji".into();
        assert!(state.remember("Minji._tcp-chat._tcp.local.".into(), minji.clone()));
        assert_eq!(state.found.len(), MAX_NEARBY);
        assert!(names(&state).contains(&"Minji".to_string()));
        assert!(!names(&state).contains(&oldest.unwrap()));
        // One already kept is still updated, and the same again changes nothing.
        minji.port = 2;
        assert!(state.remember("Minji._tcp-chat._tcp.local.".into(), minji.clone()));
        assert!(!state.remember("Minji._tcp-chat._tcp.local.".into(), minji));
    }

    #[test]
    fn one_address_announcing_thousands_keeps_its_share_and_the_others_theirs() {
        let mut state = State::default();
        let students: Vec<String> = (0..30).map(|n| format!("student{n}")).collect();
        for (n, name) in students.iter().enumerate() {
            let mut nearby = flood(n, &format!("192.168.0.{}", n + 10));
            nearby.name = name.clone();
            state.remember(format!("{name}._tcp-chat._tcp.local."), nearby);
        }
        for n in 0..100_000 {
            state.remember(
                format!("flood{n}._tcp-chat._tcp.local."),
                flood(n, "192.168.0.66"),
            );
        }
        let kept = names(&state);
        assert_eq!(kept.len(), 30 + MAX_NEARBY_PER_ADDRESS);
        assert!(students.iter().all(|s| kept.contains(s)), "{kept:?}");
        // The flood's newest are kept: it churns within its own share.
        assert!(kept.contains(&"flood99999".to_string()));
        // A student heard after the flood still gets in.
        let mut late = flood(0, "192.168.0.99");
        late.name = "late".into();
        assert!(state.remember("late._tcp-chat._tcp.local.".into(), late));
    }

    #[test]
    fn a_host_name_becomes_one_dns_label() {
        assert_eq!(dns_label("raspberrypi"), "raspberrypi");
        assert_eq!(dns_label("my_pi.lab"), "my-pi-lab");
        assert_eq!(dns_label("학생"), "tcp-chat");
    }
}
