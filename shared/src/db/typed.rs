//! Statements sent as the protocol's *unnamed* statement, with the parameter
//! types given by the client: one round trip (parse, bind, execute, sync),
//! and nothing left behind on the server connection.
//!
//! tokio-postgres's `query(&str, …)` prepares a *named* statement (`s0`,
//! `s1`, …), executes it and closes it later, asynchronously. Through a
//! transaction-mode pooler (PgBouncer before 1.21, or with
//! `max_prepared_statements = 0`; Supabase's and Neon's poolers) consecutive
//! statements may run on different server connections, so a named statement
//! is missing where it is executed, or another client's `s2` is still there
//! (`prepared statement "s2" already exists`, 42P05). Every one-off statement
//! of [`super`] goes through this module instead, on every connection: it is
//! never slower than prepare-then-execute (one round trip instead of two).
//!
//! The parameter types come from the Rust values ([`Param`]): `i64` is
//! `int8`, `&str` is `text`, `Vec<Uuid>` is `uuid[]`, `Option<T>` is `T`'s
//! type. Every `sql/` file casts its parameters (`$1::uuid`), so the server
//! never has to infer one. Result columns must be built-in types (an enum
//! column such as `venue_t` is selected as `::text`): decoding a type the
//! client does not know would make tokio-postgres prepare a named lookup
//! statement. A test checks both for every `sql/` file.

use chrono::{DateTime, Utc};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Error, GenericClient, Row};
use uuid::Uuid;

/// A Rust type with one PostgreSQL type it is sent as.
pub trait PgType {
    /// The PostgreSQL type a value is sent as.
    fn pg_type() -> Type;
}

/// A [`PgType`] that can be an array element.
pub trait PgElement: PgType {
    /// The PostgreSQL array type of this element type.
    fn pg_array_type() -> Type;
}

macro_rules! scalar {
    ($($rust:ty => $pg:ident, $array:ident;)*) => {$(
        impl PgType for $rust {
            fn pg_type() -> Type {
                Type::$pg
            }
        }
        impl PgElement for $rust {
            fn pg_array_type() -> Type {
                Type::$array
            }
        }
    )*};
}

scalar! {
    bool => BOOL, BOOL_ARRAY;
    i16 => INT2, INT2_ARRAY;
    i32 => INT4, INT4_ARRAY;
    i64 => INT8, INT8_ARRAY;
    f32 => FLOAT4, FLOAT4_ARRAY;
    f64 => FLOAT8, FLOAT8_ARRAY;
    str => TEXT, TEXT_ARRAY;
    String => TEXT, TEXT_ARRAY;
    Uuid => UUID, UUID_ARRAY;
    DateTime<Utc> => TIMESTAMPTZ, TIMESTAMPTZ_ARRAY;
    serde_json::Value => JSONB, JSONB_ARRAY;
}

impl<T: PgType + ?Sized> PgType for &T {
    fn pg_type() -> Type {
        T::pg_type()
    }
}

impl<T: PgElement + ?Sized> PgElement for &T {
    fn pg_array_type() -> Type {
        T::pg_array_type()
    }
}

impl<T: PgType> PgType for Option<T> {
    fn pg_type() -> Type {
        T::pg_type()
    }
}

impl<T: PgElement> PgElement for Option<T> {
    fn pg_array_type() -> Type {
        T::pg_array_type()
    }
}

impl<T: PgElement> PgType for Vec<T> {
    fn pg_type() -> Type {
        T::pg_array_type()
    }
}

impl<T: PgElement> PgType for [T] {
    fn pg_type() -> Type {
        T::pg_array_type()
    }
}

/// A statement parameter: its value and the type it is sent as.
pub trait Param: Sync {
    /// The value, for encoding.
    fn value(&self) -> &(dyn ToSql + Sync);
    /// The PostgreSQL type it is sent as.
    fn param_type(&self) -> Type;
}

impl<T: ToSql + Sync + PgType> Param for T {
    fn value(&self) -> &(dyn ToSql + Sync) {
        self
    }

    fn param_type(&self) -> Type {
        T::pg_type()
    }
}

/// `params` as tokio-postgres's typed parameters.
pub fn typed<'a>(params: &'a [&'a dyn Param]) -> Vec<(&'a (dyn ToSql + Sync), Type)> {
    params.iter().map(|p| (p.value(), p.param_type())).collect()
}

/// `params` as untyped values, for a statement prepared beforehand.
pub fn untyped<'a>(params: &'a [&'a dyn Param]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p.value()).collect()
}

/// Runs `sql` as the unnamed statement and returns its rows.
pub async fn query<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&dyn Param],
) -> Result<Vec<Row>, Error> {
    client.query_typed(sql, &typed(params)).await
}

/// [`query`] for exactly one row.
pub async fn query_one<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&dyn Param],
) -> Result<Row, Error> {
    client.query_typed_one(sql, &typed(params)).await
}

/// [`query`] for zero or one row.
pub async fn query_opt<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&dyn Param],
) -> Result<Option<Row>, Error> {
    client.query_typed_opt(sql, &typed(params)).await
}

/// Runs `sql` as the unnamed statement and returns the rows it changed.
pub async fn execute<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&dyn Param],
) -> Result<u64, Error> {
    client.execute_typed(sql, &typed(params)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_of(p: &dyn Param) -> Type {
        p.param_type()
    }

    #[test]
    fn rust_values_map_to_their_postgres_types() {
        let text: &str = "x";
        let names: Vec<Option<&str>> = vec![Some("a"), None];
        let tables: &[&str] = &["a"];
        let ids: Vec<Uuid> = Vec::new();
        let json = serde_json::json!({});
        let jsons: Vec<&serde_json::Value> = vec![&json];
        let scope: Option<Vec<String>> = None;
        let at: Option<DateTime<Utc>> = None;
        let cases: [(&dyn Param, Type); 12] = [
            (&1_i64, Type::INT8),
            (&Some(1_i32), Type::INT4),
            (&2.5_f64, Type::FLOAT8),
            (&text, Type::TEXT),
            (&names, Type::TEXT_ARRAY),
            (&tables, Type::TEXT_ARRAY),
            (&ids, Type::UUID_ARRAY),
            (&json, Type::JSONB),
            (&jsons, Type::JSONB_ARRAY),
            (&scope, Type::TEXT_ARRAY),
            (&at, Type::TIMESTAMPTZ),
            (&vec![Some(true)], Type::BOOL_ARRAY),
        ];
        for (param, want) in cases {
            assert_eq!(type_of(param), want);
        }
    }
}
