//! What a generated crate gives in place of a resource whose Cargo feature is off.

/// What the accessor of a resource returns when the resource's Cargo feature is off in this
/// build: it has no methods. The accessor is deprecated in such a build, so the compiler's
/// warning names the feature to turn on (`features = ["<resource>"]` on the dependency, or the
/// default features, which hold them all).
#[derive(Debug, Clone, Copy)]
pub struct FeatureOff(());

impl FeatureOff {
    /// The placeholder. Generated accessors call this.
    pub const fn new() -> Self {
        FeatureOff(())
    }
}

impl Default for FeatureOff {
    fn default() -> Self {
        Self::new()
    }
}
