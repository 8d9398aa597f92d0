//! Which Qt Quick scene graph to use. Where only software OpenGL exists (a PC or VM
//! without a GPU driver, where Mesa's llvmpipe would load and cost ~80 MB), the
//! software scene graph draws this window just as well for a fraction of the memory.
//! Where a GPU exists (a Raspberry Pi's V3D, a PC's graphics card), Qt's default stays.

use std::path::Path;

/// The variables with which a person (or a test) chooses the renderer themselves.
const CHOSEN_BY_USER: &[&str] = &[
    "QT_QUICK_BACKEND",
    "QSG_RHI_BACKEND",
    "QT_QUICK_BACKEND_FORCE",
];

/// Sets `QT_QUICK_BACKEND=software` when no GPU can be used, unless the person chose.
/// Call before Qt starts.
pub fn choose_scene_graph() {
    let chosen = CHOSEN_BY_USER.iter().any(|v| std::env::var_os(v).is_some());
    let forced_software = std::env::var("LIBGL_ALWAYS_SOFTWARE").is_ok_and(|v| v != "0");
    if !chosen && (forced_software || !has_gpu(Path::new("/dev/dri"))) {
        std::env::set_var("QT_QUICK_BACKEND", "software");
    }
}

/// Whether a GPU render node (`/dev/dri/renderD*`) exists: what Mesa needs for hardware
/// OpenGL. Without one, OpenGL is software rendering.
pub fn has_gpu(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_means_a_gpu() {
        let dir = std::env::temp_dir().join(format!("tcp-chat-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("card0"), "").unwrap();
        assert!(!has_gpu(&dir), "a display controller alone renders nothing");
        std::fs::write(dir.join("renderD128"), "").unwrap();
        assert!(has_gpu(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!has_gpu(&dir));
    }
}
