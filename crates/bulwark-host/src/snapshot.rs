//! What the audit reads from the engine, collected once (requests run concurrently).

use bulwark_engine::models::{
    ContainerInspect, HistoryItem, ImageInspect, ImageSummary, Info, Network, Node, Swarm, Top,
    Version,
};
use bulwark_engine::Client;
use serde::{Deserialize, Serialize};

use crate::{Error, Options};

/// A running container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Inspect data.
    pub inspect: ContainerInspect,
    /// Processes (None when `top` failed).
    pub top: Option<Top>,
}

/// A local image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// Summary (tags, whether containers use it).
    pub summary: ImageSummary,
    /// Inspect data.
    pub inspect: ImageInspect,
    /// Build history.
    pub history: Vec<HistoryItem>,
}

/// The engine's state as the checks need it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `/info`.
    pub info: Info,
    /// `/version`.
    pub version: Version,
    /// Running containers (restricted to `--container` when given), sorted by name.
    pub containers: Vec<Container>,
    /// Image ids used by any container, running or not.
    pub used_images: Vec<String>,
    /// Local images (read only when section 4 or 6 is selected), sorted by name.
    pub images: Vec<Image>,
    /// Networks.
    pub networks: Vec<Network>,
    /// Swarm, when this node is a manager.
    pub swarm: Option<Swarm>,
    /// Swarm nodes, when this node is a manager.
    pub nodes: Vec<Node>,
}

impl Snapshot {
    /// Read what `opts` selects from the engine.
    pub async fn collect(client: &Client, opts: &Options) -> Result<Snapshot, Error> {
        let (info, version, list, networks) = tokio::try_join!(
            client.info(),
            client.version(),
            client.containers(true),
            client.networks(),
        )?;
        let mut snap = Snapshot {
            info,
            version,
            networks,
            ..Snapshot::default()
        };
        snap.used_images = list.iter().map(|c| c.image_id.clone()).collect();
        let running: Vec<_> = list.iter().filter(|c| c.state == "running").collect();
        let wanted: Vec<String> = if opts.containers.is_empty() {
            running.iter().map(|c| c.id.clone()).collect()
        } else {
            let mut ids = Vec::new();
            for want in &opts.containers {
                let w = want.trim_start_matches('/');
                let hit = running.iter().find(|c| {
                    c.id.starts_with(w) || c.names.iter().any(|n| n.trim_start_matches('/') == w)
                });
                match hit {
                    Some(c) => ids.push(c.id.clone()),
                    None => return Err(Error::NoSuchContainer(want.clone())),
                }
            }
            ids
        };
        let need_containers = opts.section(4) || opts.section(5);
        let mut tasks = tokio::task::JoinSet::new();
        if need_containers {
            for id in wanted {
                let c = client.clone();
                tasks.spawn(async move {
                    let inspect = c.inspect_container(&id).await?;
                    let top = c.top(&id).await.ok();
                    Ok::<_, bulwark_engine::Error>(Container { inspect, top })
                });
            }
        }
        let mut images = tokio::task::JoinSet::new();
        if opts.section(4) || opts.section(6) {
            for summary in client.images().await? {
                let c = client.clone();
                images.spawn(async move {
                    let (inspect, history) = tokio::try_join!(
                        c.inspect_image(&summary.id),
                        c.image_history(&summary.id)
                    )?;
                    Ok::<_, bulwark_engine::Error>(Image {
                        summary,
                        inspect,
                        history,
                    })
                });
            }
        }
        if snap.info.swarm.control_available && opts.section(7) {
            snap.swarm = client.swarm().await.ok();
            snap.nodes = client.nodes().await.unwrap_or_default();
        }
        while let Some(r) = tasks.join_next().await {
            match r {
                Ok(Ok(c)) => snap.containers.push(c),
                // A container that went away between list and inspect is not an error.
                Ok(Err(bulwark_engine::Error::Status { status: 404, .. })) => {}
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => {}
            }
        }
        while let Some(r) = images.join_next().await {
            match r {
                Ok(Ok(i)) => snap.images.push(i),
                Ok(Err(bulwark_engine::Error::Status { status: 404, .. })) => {}
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => {}
            }
        }
        snap.containers
            .sort_by(|a, b| a.inspect.name.cmp(&b.inspect.name));
        snap.images.sort_by_key(image_name);
        Ok(snap)
    }
}

/// Display name of an image: its first tag, else its short id.
pub fn image_name(i: &Image) -> String {
    i.summary
        .repo_tags
        .as_ref()
        .and_then(|t| t.iter().find(|t| *t != "<none>:<none>").cloned())
        .unwrap_or_else(|| {
            let id = i.summary.id.trim_start_matches("sha256:");
            format!("sha256:{}", id.get(..12).unwrap_or(id))
        })
}
