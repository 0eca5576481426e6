//! The admin API in the Django-database mode: the site's users are changed in Django (409),
//! while reading them, sessions, logouts and the audit log work.

use serde_json::json;

use crate::admin::call;
use crate::django_mode::{create_in_django, spawn_beside};
use crate::django_site::{Backend, DjangoSite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn a_django_sites_users_are_read_and_their_sessions_managed_but_changed_in_django() {
    let site = DjangoSite::new("auth", Backend::Sqlite).await;
    site.fixture("create");
    let app = spawn_beside(&site, |_| {}).await;
    let chief = create_in_django(&site, "chief", "chief password 1", "chief@example.com");
    site.orm(&format!(
        "from django.contrib.auth.models import Group; \
         User.objects.get(pk={chief}).groups.add(Group.objects.create(name='admin'))"
    ));
    let dora = create_in_django(&site, "dora", "dora password 1", "dora@example.com");
    let (_, root) = app.login("chief", "chief password 1").await;
    let root = format!("Bearer {root}");
    let (dora_refresh, _) = app.login("dora", "dora password 1").await;

    let got = call(&app, "GET", &format!("/admin/users/{dora}/"), &root, None).await;
    assert_eq!(got.json()["username"], "dora", "{}", got.text);
    let elsewhere = json!({"detail": "The users of this deployment belong to the Django site: change them there."});
    call(&app, "GET", "/admin/users/", &root, None)
        .await
        .expect(409, elsewhere.clone());
    let change = json!({"roles": ["admin"]});
    call(
        &app,
        "PATCH",
        &format!("/admin/users/{dora}/"),
        &root,
        Some(change),
    )
    .await
    .expect(409, elsewhere.clone());
    call(
        &app,
        "DELETE",
        &format!("/admin/users/{dora}/"),
        &root,
        None,
    )
    .await
    .expect(409, elsewhere);

    let sessions = call(
        &app,
        "GET",
        &format!("/admin/users/{dora}/sessions/"),
        &root,
        None,
    )
    .await
    .json();
    let session = sessions[0]["id"].as_i64().unwrap();
    let ended = call(
        &app,
        "DELETE",
        &format!("/admin/sessions/{session}/"),
        &root,
        None,
    )
    .await;
    assert_eq!(ended.status, 204);
    assert_eq!(app.refresh(&dora_refresh).await.status, 401);
    // The site's own blacklist agrees: SimpleJWT refuses the token too.
    let jti = crate::helpers::token_part(&dora_refresh, 1)["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    let blacklisted = site.orm(&format!(
        "from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken; \
         result = BlacklistedToken.objects.filter(token__jti={jti:?}).exists()"
    ));
    assert_eq!(blacklisted, json!(true));
    let audit = call(&app, "GET", "/admin/audit/", &root, None).await.json();
    assert_eq!(audit["results"][0]["action"], "session.revoked");
}
