// sqlx::migrate! embeds the migration files; rebuild when a new one is added.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
