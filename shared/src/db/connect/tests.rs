use super::*;

#[test]
fn display_never_shows_the_password() {
    let url =
        DatabaseUrl::parse("postgres://alice:s3cr3t-marker@db.example:6543/app?sslmode=require")
            .expect("parses");
    let shown = format!("{url} {url:?}");
    assert!(!shown.contains("s3cr3t-marker"), "{shown}");
    assert_eq!(
        shown.split(' ').next(),
        Some("postgres://alice@db.example:6543/app")
    );
    assert_eq!(url.tls_mode(), TlsMode::Require);
}

#[test]
fn libpq_ssl_modes_are_understood() {
    for (mode, expected) in [
        ("disable", TlsMode::Disable),
        ("prefer", TlsMode::Prefer),
        ("require", TlsMode::Require),
        ("verify-ca", TlsMode::VerifyCa),
        ("verify-full", TlsMode::VerifyFull),
    ] {
        let url = DatabaseUrl::parse(&format!(
            "postgres://u@h/d?sslmode={mode}&sslrootcert=/tmp/ca.pem&connect_timeout=3"
        ))
        .expect("parses");
        assert_eq!(url.tls_mode(), expected);
        assert_eq!(
            url.pg_config().get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
    }
    let err = DatabaseUrl::parse("postgres://u:pw-marker@h/d?sslmode=bogus").expect_err("rejects");
    assert!(err.to_string().contains("sslmode=bogus"));
    assert!(!err.to_string().contains("pw-marker"));
}

#[test]
fn invalid_url_error_hides_the_password() {
    let err = DatabaseUrl::parse("postgres://u:pw-marker@h:notaport/d").expect_err("rejects");
    assert!(!format!("{err:#}").contains("pw-marker"), "{err:#}");
}

#[test]
fn defaults_fill_in_host_user_and_timeout() {
    let url = DatabaseUrl::parse("postgres:///agent_where").expect("parses");
    assert_eq!(url.database(), "agent_where");
    assert_eq!(url.host_port(), "localhost:5432");
    assert_eq!(
        url.pg_config().get_connect_timeout(),
        Some(&DEFAULT_CONNECT_TIMEOUT)
    );
    let local = DatabaseUrl::local_default_with_env(&|_| None, DEFAULT_DATABASE).expect("defaults");
    assert_eq!(local.database(), DEFAULT_DATABASE);
    assert_eq!(local.host_port(), "localhost:5432");
}

#[test]
fn a_named_default_database_yields_to_pgdatabase() {
    let demo =
        DatabaseUrl::local_default_with_env(&|_| None, "agent_where_demo").expect("defaults");
    assert_eq!(demo.database(), "agent_where_demo");
    let env = fake_env(&[("PGDATABASE", "chosen")]);
    let chosen = DatabaseUrl::local_default_with_env(&env, "agent_where_demo").expect("defaults");
    assert_eq!(chosen.database(), "chosen");
}

fn fake_env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |key: &str| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

#[test]
fn libpq_variables_fill_in_what_the_url_lacks() {
    let env = fake_env(&[
        ("PGHOST", "db.env.example"),
        ("PGPORT", "6543"),
        ("PGDATABASE", "from_env"),
        ("PGUSER", "env_user"),
        ("USER", "os_user"),
    ]);
    let url = DatabaseUrl::local_default_with_env(&env, DEFAULT_DATABASE).expect("defaults");
    assert_eq!(
        url.to_string(),
        "postgres://env_user@db.env.example:6543/from_env"
    );
    // An empty URL host, port, user and database come from the environment …
    let url = DatabaseUrl::parse_with_env("postgres://", &env).expect("parses");
    assert_eq!(
        url.to_string(),
        "postgres://env_user@db.env.example:6543/from_env"
    );
    let url = DatabaseUrl::parse_with_env("dbname=kv", &env).expect("parses");
    assert_eq!(
        url.to_string(),
        "postgres://env_user@db.env.example:6543/kv"
    );
    // … and the URL's own values always win.
    let url = DatabaseUrl::parse_with_env("postgres://u@h:1/d", &env).expect("parses");
    assert_eq!(url.to_string(), "postgres://u@h:1/d");
    let url = DatabaseUrl::parse_with_env("postgres://u@h/d", &env).expect("parses");
    assert_eq!(
        url.host_port(),
        "h:6543",
        "PGPORT fills a URL without a port"
    );
    // Without PGDATABASE the database defaults to the user name, as in libpq.
    let env = fake_env(&[("PGUSER", "alice")]);
    let url = DatabaseUrl::parse_with_env("postgres://h", &env).expect("parses");
    assert_eq!(url.to_string(), "postgres://alice@h:5432/alice");
    // Several hosts and a Unix socket directory, as libpq takes them.
    let env = fake_env(&[("PGHOST", "/var/run/postgresql"), ("PGPORT", "5433")]);
    let url = DatabaseUrl::local_default_with_env(&env, DEFAULT_DATABASE).expect("defaults");
    assert_eq!(url.host_port(), "/var/run/postgresql:5433");
    let env = fake_env(&[("PGHOST", "a.example,b.example")]);
    let url = DatabaseUrl::local_default_with_env(&env, DEFAULT_DATABASE).expect("defaults");
    assert_eq!(url.pg_config().get_hosts().len(), 2);
    // A bad PGPORT is an error naming the variable, as in libpq.
    let env = fake_env(&[("PGPORT", "fivefourthreetwo")]);
    let err = DatabaseUrl::local_default_with_env(&env, DEFAULT_DATABASE).expect_err("rejects");
    assert!(err.to_string().contains("PGPORT"), "{err}");
}

#[test]
fn pooler_from_the_url_the_environment_or_the_address() {
    let none = |_: &str| None;
    let parse = |raw: &str, env: &dyn Fn(&str) -> Option<String>| {
        DatabaseUrl::parse_with_env(raw, env)
            .expect("parses")
            .pooler()
    };
    assert_eq!(parse("postgres://u@db.example:5432/d", &none), Pooler::None);
    for raw in [
        "postgres://u@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
        "postgres://u@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/neondb",
        "postgres://u@db.example:6432/d",
        "postgres://u@db.example:5432/d?pooler=transaction",
        "host=db.example dbname=d pooler=transaction",
    ] {
        assert_eq!(parse(raw, &none), Pooler::Transaction, "{raw}");
    }
    // Session-mode Supabase pooler on 5432: say so explicitly.
    assert_eq!(
        parse(
            "postgres://u@aws-0-eu-central-1.pooler.supabase.com:5432/d?pooler=none",
            &none
        ),
        Pooler::None
    );
    let env = fake_env(&[("AGENT_WHERE_POOLER", "transaction")]);
    assert_eq!(parse("postgres://u@h/d", &env), Pooler::Transaction);
    assert_eq!(parse("postgres://u@h/d?pooler=none", &env), Pooler::None);
    assert_eq!(
        DatabaseUrl::local_default_with_env(&env, DEFAULT_DATABASE)
            .expect("defaults")
            .pooler(),
        Pooler::Transaction
    );
    // The parameter never reaches tokio-postgres, and a bad value is refused.
    let url = DatabaseUrl::parse_with_env(
        "postgres://u@h/d?pooler=transaction&connect_timeout=3",
        &none,
    )
    .expect("parses");
    assert_eq!(url.to_string(), "postgres://u@h:5432/d");
    let err = DatabaseUrl::parse_with_env("postgres://u:pw-marker@h/d?pooler=bogus", &none)
        .expect_err("rejects");
    assert!(err.to_string().contains("pooler"), "{err}");
    assert!(!err.to_string().contains("pw-marker"));
}

#[test]
fn with_database_keeps_server() {
    let url = DatabaseUrl::parse("postgres://u@h:1/a").expect("parses");
    let other = url.with_database("postgres");
    assert_eq!(other.database(), "postgres");
    assert_eq!(other.host_port(), "h:1");
}
