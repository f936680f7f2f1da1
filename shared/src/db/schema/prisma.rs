//! Reads Agent Where's Prisma models (`migrations/prisma/agent_where.prisma`)
//! into the database objects they stand for, in PostgreSQL's own terms: each
//! column's type as `format_type` prints it, its nullability and default as
//! `pg_get_expr` prints it, each index and foreign key by the name Prisma
//! gives it. `setup-agent-where --check` verifies the database against them
//! and the test suite compares them with what the migrations build, so the
//! models a Prisma host pastes in and the schema Agent Where needs are one.
//!
//! This reads the subset of the Prisma schema language the file uses (enums,
//! models, scalar and relation fields, `@id`, `@unique`, `@default`, `@db.*`,
//! `@relation`, `@@index`, `@@unique`, `map:`); anything else is an error, so
//! a model written beyond it fails the tests instead of being misread.

use std::fmt;

/// Agent Where's Prisma models, as shipped.
pub const MODELS: &str = include_str!("../../../../migrations/prisma/agent_where.prisma");

/// The enums and models of a Prisma schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrismaSchema {
    pub enums: Vec<Enum>,
    pub models: Vec<Model>,
}

/// A PostgreSQL enum type and its labels, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
}

/// A column, in PostgreSQL's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// As `format_type` prints it: `text`, `uuid`, `numeric(20,8)`, `text[]`,
    /// `timestamp(6) with time zone`, `venue_t`.
    pub sql_type: String,
    /// Whether NULL is allowed. Prisma does not model the nullability of a
    /// list column (`String[]`); it is `None` then.
    pub nullable: Option<bool>,
    /// The default as `pg_get_expr` prints it (`now()`, `'{}'::jsonb`).
    pub default: Option<String>,
}

/// A plain (non-partial, column-only) index, unique index or primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub primary: bool,
}

/// A foreign key from a relation field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub references_table: String,
    pub references_columns: Vec<String>,
    pub on_delete: Action,
    pub on_update: Action,
}

/// A referential action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl Action {
    /// The action from `pg_constraint.confdeltype` / `confupdtype`.
    #[must_use]
    pub fn from_pg(code: &str) -> Option<Action> {
        Some(match code {
            "a" => Action::NoAction,
            "r" => Action::Restrict,
            "c" => Action::Cascade,
            "n" => Action::SetNull,
            "d" => Action::SetDefault,
            _ => return None,
        })
    }

    fn from_prisma(word: &str) -> Option<Action> {
        Some(match word {
            "NoAction" => Action::NoAction,
            "Restrict" => Action::Restrict,
            "Cascade" => Action::Cascade,
            "SetNull" => Action::SetNull,
            "SetDefault" => Action::SetDefault,
            _ => return None,
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::NoAction => "NO ACTION",
            Action::Restrict => "RESTRICT",
            Action::Cascade => "CASCADE",
            Action::SetNull => "SET NULL",
            Action::SetDefault => "SET DEFAULT",
        })
    }
}

/// A line of the file that this reader does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Prisma models, line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl PrismaSchema {
    /// The model of `table`.
    #[must_use]
    pub fn model(&self, table: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == table)
    }

    /// The enum `name`.
    #[must_use]
    pub fn enum_named(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }
}

/// Parses Agent Where's shipped models.
///
/// # Errors
/// When the shipped file is not valid (a build defect; the tests parse it).
pub fn shipped() -> Result<PrismaSchema, ParseError> {
    parse(MODELS)
}

/// Parses a Prisma schema file (the subset described in the module docs).
///
/// # Errors
/// A [`ParseError`] naming the first line it cannot read.
pub fn parse(text: &str) -> Result<PrismaSchema, ParseError> {
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, strip_comment(l).trim().to_owned()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let enum_names: Vec<String> = lines
        .iter()
        .filter_map(|(_, l)| block_header(l, "enum"))
        .collect();
    let mut schema = PrismaSchema {
        enums: Vec::new(),
        models: Vec::new(),
    };
    let mut i = 0;
    while i < lines.len() {
        let (line_no, line) = &lines[i];
        let (kind, name) = if let Some(name) = block_header(line, "enum") {
            ("enum", name)
        } else if let Some(name) = block_header(line, "model") {
            ("model", name)
        } else {
            return Err(err(
                *line_no,
                format!("expected `enum` or `model`, found `{line}`"),
            ));
        };
        let body_start = i + 1;
        let Some(offset) = lines[body_start..].iter().position(|(_, l)| l == "}") else {
            return Err(err(*line_no, format!("`{name}` is not closed")));
        };
        let body = &lines[body_start..body_start + offset];
        if kind == "enum" {
            schema.enums.push(parse_enum(name, body)?);
        } else {
            schema.models.push(parse_model(name, body, &enum_names)?);
        }
        i = body_start + offset + 1;
    }
    Ok(schema)
}

fn err(line: usize, message: String) -> ParseError {
    ParseError { line, message }
}

/// `//` and `///` comments end a line (the file has no `//` inside strings).
fn strip_comment(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

fn block_header(line: &str, keyword: &str) -> Option<String> {
    let rest = line.strip_prefix(keyword)?.strip_suffix('{')?.trim();
    (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| rest.to_owned())
}

fn parse_enum(name: String, body: &[(usize, String)]) -> Result<Enum, ParseError> {
    let mut values = Vec::new();
    for (line_no, line) in body {
        if line.contains(char::is_whitespace) || line.starts_with('@') {
            return Err(err(*line_no, format!("unsupported enum line `{line}`")));
        }
        values.push(line.clone());
    }
    Ok(Enum { name, values })
}

/// One `@name(args)` or `@name` attribute.
#[derive(Debug)]
struct Attribute<'a> {
    name: &'a str,
    args: Option<&'a str>,
}

fn attributes(mut text: &str, line_no: usize) -> Result<Vec<Attribute<'_>>, ParseError> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(out);
        }
        let Some(rest) = text.strip_prefix('@') else {
            return Err(err(
                line_no,
                format!("expected an attribute, found `{text}`"),
            ));
        };
        let name_len = rest
            .find(|c: char| c == '(' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let after = &rest[name_len..];
        if let Some(inner) = after.strip_prefix('(') {
            let close = closing_paren(inner)
                .ok_or_else(|| err(line_no, format!("unbalanced parentheses in `@{name}`")))?;
            out.push(Attribute {
                name,
                args: Some(&inner[..close]),
            });
            text = &inner[close + 1..];
        } else {
            out.push(Attribute { name, args: None });
            text = after;
        }
    }
}

/// The index of the `)` closing an opened `(` (strings respected).
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' if !in_string && depth == 0 => return Some(i),
            ')' | ']' | '}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Splits `a, [b, c], map: "x"` at its top-level commas.
fn split_args(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => depth = depth.saturating_sub(1),
            ',' if !in_string && depth == 0 => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// Positional and named (`name: value`) arguments.
fn args(text: &str) -> (Vec<&str>, Vec<(&str, &str)>) {
    let mut positional = Vec::new();
    let mut named = Vec::new();
    for a in split_args(text) {
        match a.split_once(':') {
            Some((k, v)) if k.trim().chars().all(|c| c.is_ascii_alphanumeric()) => {
                named.push((k.trim(), v.trim()));
            }
            _ => positional.push(a),
        }
    }
    (positional, named)
}

fn list(text: &str, line_no: usize) -> Result<Vec<String>, ParseError> {
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| err(line_no, format!("expected a list, found `{text}`")))?;
    Ok(split_args(inner).iter().map(|s| (*s).to_owned()).collect())
}

fn string(text: &str, line_no: usize) -> Result<String, ParseError> {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| err(line_no, format!("expected a string, found `{text}`")))
}

const SCALARS: [&str; 8] = [
    "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json",
];

fn parse_model(
    name: String,
    body: &[(usize, String)],
    enums: &[String],
) -> Result<Model, ParseError> {
    let mut model = Model {
        name,
        columns: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
    };
    for (line_no, line) in body {
        let line_no = *line_no;
        if let Some(rest) = line.strip_prefix("@@") {
            block_attribute(&mut model, &format!("@{rest}"), line_no)?;
            continue;
        }
        let (field, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim_start();
        let (ty, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if ty.is_empty() {
            return Err(err(line_no, format!("expected a field, found `{line}`")));
        }
        let attrs = attributes(rest, line_no)?;
        if let Some(a) = attrs.iter().find(|a| {
            !matches!(a.name, "id" | "unique" | "default" | "relation")
                && !a.name.starts_with("db.")
        }) {
            return Err(err(
                line_no,
                format!("`{field}`: unsupported `@{}`", a.name),
            ));
        }
        let (base, optional, is_list) = if let Some(b) = ty.strip_suffix("[]") {
            (b, false, true)
        } else if let Some(b) = ty.strip_suffix('?') {
            (b, true, false)
        } else {
            (ty, false, false)
        };
        let is_enum = enums.iter().any(|e| e == base);
        if !SCALARS.contains(&base) && !is_enum {
            // A relation field: a foreign key when it carries the fields.
            if let Some(rel) = attrs.iter().find(|a| a.name == "relation") {
                let fk = relation(
                    &model,
                    field,
                    base,
                    optional,
                    rel.args.unwrap_or(""),
                    line_no,
                )?;
                model.foreign_keys.push(fk);
            } else if !is_list {
                return Err(err(line_no, format!("`{field}`: unknown type `{base}`")));
            }
            continue;
        }
        model.columns.push(column(
            &model.name,
            field,
            base,
            optional,
            is_list,
            is_enum,
            &attrs,
            line_no,
        )?);
        for a in &attrs {
            match a.name {
                "id" => model.indexes.push(Index {
                    name: format!("{}_pkey", model.name),
                    columns: vec![field.to_owned()],
                    unique: true,
                    primary: true,
                }),
                "unique" => model.indexes.push(Index {
                    name: format!("{}_{field}_key", model.name),
                    columns: vec![field.to_owned()],
                    unique: true,
                    primary: false,
                }),
                _ => {}
            }
        }
    }
    Ok(model)
}

#[allow(clippy::too_many_arguments)]
fn column(
    table: &str,
    field: &str,
    base: &str,
    optional: bool,
    is_list: bool,
    is_enum: bool,
    attrs: &[Attribute<'_>],
    line_no: usize,
) -> Result<Column, ParseError> {
    let native = attrs
        .iter()
        .find_map(|a| a.name.strip_prefix("db.").map(|n| (n, a.args)));
    let mut sql_type = match (base, native) {
        (b, None) if is_enum => b.to_owned(),
        ("String", None) => "text".to_owned(),
        ("String", Some(("Uuid", None))) => "uuid".to_owned(),
        ("String", Some(("VarChar", Some(n)))) => format!("character varying({n})"),
        ("Int", None) => "integer".to_owned(),
        ("Int", Some(("SmallInt", None))) => "smallint".to_owned(),
        ("BigInt", None) => "bigint".to_owned(),
        ("Float", None) => "double precision".to_owned(),
        ("Float", Some(("Real", None))) => "real".to_owned(),
        ("Decimal", Some(("Decimal", Some(ps)))) => format!("numeric({})", ps.replace(' ', "")),
        ("Decimal", None) => "numeric(65,30)".to_owned(),
        ("Boolean", None) => "boolean".to_owned(),
        ("DateTime", Some(("Timestamptz", Some(p)))) => format!("timestamp({p}) with time zone"),
        ("DateTime", None) => "timestamp(3) without time zone".to_owned(),
        ("Json", None) => "jsonb".to_owned(),
        (b, n) => {
            return Err(err(
                line_no,
                format!("`{table}.{field}`: unsupported type {b} {n:?}"),
            ));
        }
    };
    if is_list {
        sql_type.push_str("[]");
    }
    let default = match attrs.iter().find(|a| a.name == "default") {
        None => None,
        Some(a) => Some(default_expr(
            a.args.unwrap_or(""),
            &sql_type,
            is_enum,
            line_no,
        )?),
    };
    Ok(Column {
        name: field.to_owned(),
        sql_type,
        nullable: if is_list { None } else { Some(optional) },
        default,
    })
}

/// A Prisma default as PostgreSQL prints the column default.
fn default_expr(
    value: &str,
    sql_type: &str,
    is_enum: bool,
    line_no: usize,
) -> Result<String, ParseError> {
    if value == "now()" {
        return Ok("now()".to_owned());
    }
    if let Some(inner) = value
        .strip_prefix("dbgenerated(")
        .and_then(|v| v.strip_suffix(')'))
    {
        return string(inner, line_no);
    }
    if value.starts_with('"') {
        let s = string(value, line_no)?;
        return Ok(format!("'{}'::{sql_type}", s.replace('\'', "''")));
    }
    if value == "[]" {
        return Ok(format!("'{{}}'::{sql_type}"));
    }
    if value == "true" || value == "false" || value.parse::<f64>().is_ok() {
        return Ok(value.to_owned());
    }
    if is_enum && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(format!("'{value}'::{sql_type}"));
    }
    Err(err(line_no, format!("unsupported default `{value}`")))
}

fn relation(
    model: &Model,
    field: &str,
    target: &str,
    optional: bool,
    text: &str,
    line_no: usize,
) -> Result<ForeignKey, ParseError> {
    let (_, named) = args(text);
    let get = |k: &str| named.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let (Some(fields), Some(references)) = (get("fields"), get("references")) else {
        return Err(err(
            line_no,
            format!("`{field}`: a relation needs `fields` and `references`"),
        ));
    };
    let columns = list(fields, line_no)?;
    let action = |k: &str, default: Action| match get(k) {
        None => Ok(default),
        Some(v) => Action::from_prisma(v)
            .ok_or_else(|| err(line_no, format!("`{field}`: unknown action `{v}`"))),
    };
    let on_delete = action(
        "onDelete",
        if optional {
            Action::SetNull
        } else {
            Action::Restrict
        },
    )?;
    let on_update = action("onUpdate", Action::Cascade)?;
    let name = match get("map") {
        Some(m) => string(m, line_no)?,
        None => format!("{}_{}_fkey", model.name, columns.join("_")),
    };
    Ok(ForeignKey {
        name,
        columns,
        references_table: target.to_owned(),
        references_columns: list(references, line_no)?,
        on_delete,
        on_update,
    })
}

fn block_attribute(model: &mut Model, text: &str, line_no: usize) -> Result<(), ParseError> {
    let attrs = attributes(text, line_no)?;
    let [attr] = attrs.as_slice() else {
        return Err(err(
            line_no,
            format!("one block attribute per line: `{text}`"),
        ));
    };
    let (suffix, unique) = match attr.name {
        "index" => ("idx", false),
        "unique" => ("key", true),
        other => return Err(err(line_no, format!("unsupported `@@{other}`"))),
    };
    let (positional, named) = args(attr.args.unwrap_or(""));
    let [fields] = positional.as_slice() else {
        return Err(err(
            line_no,
            format!("`@@{}` needs one field list", attr.name),
        ));
    };
    let columns = list(fields, line_no)?;
    let mut name = format!("{}_{}_{suffix}", model.name, columns.join("_"));
    for (k, v) in named {
        match k {
            "map" => name = string(v, line_no)?,
            other => return Err(err(line_no, format!("unsupported argument `{other}`"))),
        }
    }
    model.indexes.push(Index {
        name,
        columns,
        unique,
        primary: false,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_reads_as_postgres_prints_it() {
        let schema = parse(
            r#"
            /// doc
            enum venue_t {
              SPOT
              MULTI // trailing
            }
            model t {
              id      String   @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
              v       venue_t  @default(MULTI)
              agent   String?  @unique @db.Uuid
              price   Decimal? @db.Decimal(20, 8)
              at      DateTime @default(now()) @db.Timestamptz(6)
              tags    String[] @default([])
              opts    Json     @default("{}")
              n       BigInt   @default(0)
              name    String?  @db.VarChar(255)
              agents  agents?  @relation(fields: [agent], references: [id], onDelete: Cascade, onUpdate: NoAction)
              others  other[]

              @@unique([v, agent])
              @@index([at], map: "t_when")
            }
            "#,
        )
        .expect("parses");
        assert_eq!(
            schema.enum_named("venue_t").map(|e| e.values.len()),
            Some(2)
        );
        let t = schema.model("t").expect("model t");
        let col = |n: &str| t.columns.iter().find(|c| c.name == n).expect("column");
        assert_eq!(col("id").sql_type, "uuid");
        assert_eq!(col("id").default.as_deref(), Some("gen_random_uuid()"));
        assert_eq!(col("id").nullable, Some(false));
        assert_eq!(col("v").default.as_deref(), Some("'MULTI'::venue_t"));
        assert_eq!(col("agent").nullable, Some(true));
        assert_eq!(col("price").sql_type, "numeric(20,8)");
        assert_eq!(col("at").sql_type, "timestamp(6) with time zone");
        assert_eq!(col("tags").sql_type, "text[]");
        assert_eq!(col("tags").nullable, None);
        assert_eq!(col("tags").default.as_deref(), Some("'{}'::text[]"));
        assert_eq!(col("opts").default.as_deref(), Some("'{}'::jsonb"));
        assert_eq!(col("n").default.as_deref(), Some("0"));
        assert_eq!(col("name").sql_type, "character varying(255)");
        assert_eq!(t.columns.len(), 9, "relation fields are not columns");
        let names: Vec<&str> = t.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["t_pkey", "t_agent_key", "t_v_agent_key", "t_when"]);
        assert_eq!(
            t.foreign_keys,
            [ForeignKey {
                name: "t_agent_fkey".to_owned(),
                columns: vec!["agent".to_owned()],
                references_table: "agents".to_owned(),
                references_columns: vec!["id".to_owned()],
                on_delete: Action::Cascade,
                on_update: Action::NoAction,
            }]
        );
    }

    #[test]
    fn relation_actions_default_as_prisma_does() {
        let schema = parse(
            "model t {\n id String @id\n a String\n b String?\n x agents @relation(fields: [a], references: [id])\n y agents? @relation(fields: [b], references: [id])\n}",
        )
        .expect("parses");
        let fks = &schema.models[0].foreign_keys;
        assert_eq!(
            (fks[0].on_delete, fks[0].on_update),
            (Action::Restrict, Action::Cascade)
        );
        assert_eq!(fks[1].on_delete, Action::SetNull);
    }

    #[test]
    fn what_it_cannot_read_is_an_error_with_its_line() {
        for (text, line) in [
            ("model t {\n id String @id\n", 1),
            ("model t {\n id Bytes\n}", 2),
            (
                "model t {\n id String @id\n @@index([id], where: raw(\"x\"))\n}",
                3,
            ),
            ("model t {\n id String @default(uuid())\n}", 2),
            ("model t {\n id String @map(\"x\")\n}", 2),
            ("datasource db {\n}", 1),
        ] {
            let e = parse(text).expect_err(text);
            assert_eq!(e.line, line, "{text}: {e}");
        }
    }

    #[test]
    fn the_shipped_models_parse() {
        let schema = shipped().expect("the shipped models parse");
        assert!(schema.model("venue_markets").is_some());
        assert!(schema.enum_named("venue_t").is_some());
    }
}
