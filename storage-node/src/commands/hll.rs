//! HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG (Redis 7.0 `hyperloglog.c`); the value
//! format and the estimator are in [`sketch`].
//!
//! An HLL is a string value, edited in place like Redis's sds. PFCOUNT of one key stores the
//! cardinality it computes in the value's cache bytes, as Redis does, so it is routed through the
//! log (the command table marks it a write): replicas and GET/GETRANGE then see the same bytes as
//! on a real Redis, which Redis's own tests check.

mod sketch;

use bytes::Bytes;
use bytes::BytesMut;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::WriteCtx;
use crate::commands::args::is_option;
use crate::commands::bits::reply_of;
use crate::commands::string::edit_string_with;
use crate::commands::string::unshare_string;
use crate::commands::string::write_string;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::string::StringForm;

/// Returns the live HLL at `key` (checked with [`sketch::check`]) on the write path; `None` when
/// missing.
fn hll_value(db: &mut Db, key: &[u8], now_ms: u64) -> Result<Option<Bytes>, ReplyError> {
    let value = write_string(db, key, now_ms)?;
    if let Some(value) = &value {
        sketch::check(value)?;
    }
    Ok(value)
}

/// Edits the HLL at `key` in place, creating an empty one when missing.
fn edit_hll<R>(
    db: &mut Db,
    key: &[u8],
    now_ms: u64,
    edit: impl FnOnce(&mut BytesMut) -> R,
) -> Result<R, ReplyError> {
    if hll_value(db, key, now_ms)?.is_none() {
        db.insert(
            key,
            Value::string_with_form(sketch::new_sparse().freeze(), StringForm::Raw),
            None,
        );
    }
    // The key holds a live string: it was checked or inserted just above.
    edit_string_with(db, key, now_ms, edit).ok_or(ReplyError::WrongType)
}

/// `PFADD key [element ...]`: adds the elements, creating the key when missing; 1 when a
/// register changed (or the key was created), else 0.
pub fn pfadd(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        let created = hll_value(db, &argv[1], ctx.now_ms)?.is_none();
        let updated = edit_hll(db, &argv[1], ctx.now_ms, |value| {
            let mut updated = created;
            for element in &argv[2..] {
                updated |= sketch::add(value, element)?;
            }
            if updated {
                sketch::invalidate_cache(value);
            }
            Ok::<bool, sketch::Corrupt>(updated)
        })??;
        Ok(Reply::Integer(i64::from(updated)))
    })())
}

/// `PFCOUNT key [key ...]`: the estimated cardinality of one HLL (from its cache, or computed and
/// then cached), or of the union of several (missing keys count as empty).
pub fn pfcount(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        if argv.len() > 2 {
            let registers = union(db, &argv[1..], ctx.now_ms)?;
            return Ok(Reply::Integer(sketch::count_registers(&registers) as i64));
        }
        let Some(value) = hll_value(db, &argv[1], ctx.now_ms)? else {
            return Ok(Reply::Integer(0));
        };
        if let Some(count) = sketch::cached_count(&value) {
            // Redis unshares the value before it looks at the cache: the string becomes raw.
            unshare_string(db, &argv[1], ctx.now_ms);
            return Ok(Reply::Integer(count as i64));
        }
        let count = sketch::count(&value)?;
        edit_string_with(db, &argv[1], ctx.now_ms, |value| {
            sketch::set_cached_count(value, count);
        });
        Ok(Reply::Integer(count as i64))
    })())
}

/// The register-wise maximum of the HLLs at `keys` (missing keys are empty), and whether one of
/// them is dense.
fn union_with_encoding(
    db: &Db,
    keys: &[Bytes],
    now_ms: u64,
) -> Result<(Box<[u8; sketch::REGISTERS]>, bool), ReplyError> {
    let mut max = Box::new([0u8; sketch::REGISTERS]);
    let mut any_dense = false;
    for key in keys {
        let Some(value) = db.get_value(key, now_ms) else {
            continue;
        };
        let value = value.as_string().ok_or(ReplyError::WrongType)?;
        sketch::check(value)?;
        any_dense |= sketch::is_dense(value);
        sketch::merge_into(&mut max, value)?;
    }
    Ok((max, any_dense))
}

/// The register-wise maximum of the HLLs at `keys`.
fn union(db: &Db, keys: &[Bytes], now_ms: u64) -> Result<Box<[u8; sketch::REGISTERS]>, ReplyError> {
    union_with_encoding(db, keys, now_ms).map(|(max, _)| max)
}

/// `PFMERGE destkey [sourcekey ...]`: stores the union of the destination and the sources at the
/// destination (dense when any input is dense) and replies OK.
pub fn pfmerge(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        let (max, any_dense) = union_with_encoding(db, &argv[1..], ctx.now_ms)?;
        edit_hll(db, &argv[1], ctx.now_ms, |value| {
            if any_dense {
                sketch::to_dense(value)?;
            }
            for (idx, &count) in max.iter().enumerate() {
                if count != 0 {
                    // As in Redis, a corrupted destination stops nothing here: it was merged
                    // above, so it decodes.
                    let _ = sketch::raise(value, idx, count);
                }
            }
            sketch::invalidate_cache(value);
            Ok::<(), sketch::Corrupt>(())
        })??;
        Ok(Reply::Ok)
    })())
}

/// `PFDEBUG GETREG|DECODE|ENCODING|TODENSE key`: Redis's HLL debugging subcommands. GETREG and
/// TODENSE convert a sparse value to dense (hence a write).
pub fn pfdebug(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        let (sub, key) = (&argv[1][..], &argv[2]);
        if hll_value(db, key, ctx.now_ms)?.is_none() {
            return Err(ReplyError::err("The specified key does not exist"));
        }
        // Redis unshares the value before it reads the subcommand: the string becomes raw.
        unshare_string(db, key, ctx.now_ms);
        let edit = |db: &mut Db, f: &mut dyn FnMut(&mut BytesMut) -> Result<Reply, ReplyError>| {
            edit_string_with(db, key, ctx.now_ms, |value| f(value)).ok_or(ReplyError::WrongType)?
        };
        if is_option(sub, "GETREG") {
            edit(db, &mut |value| {
                sketch::to_dense(value)?;
                Ok(Reply::Array(
                    sketch::dense_registers(value)
                        .map(|r| Reply::Integer(i64::from(r)))
                        .collect(),
                ))
            })
        } else if is_option(sub, "DECODE") {
            edit(db, &mut |value| {
                if sketch::is_dense(value) {
                    return Err(ReplyError::err("HLL encoding is not sparse"));
                }
                Ok(Reply::Bulk(Bytes::from(sketch::decode_sparse(value))))
            })
        } else if is_option(sub, "ENCODING") {
            edit(db, &mut |value| {
                Ok(Reply::simple(if sketch::is_dense(value) {
                    "dense"
                } else {
                    "sparse"
                }))
            })
        } else if is_option(sub, "TODENSE") {
            edit(db, &mut |value| {
                let converted = !sketch::is_dense(value);
                sketch::to_dense(value)?;
                Ok(Reply::Integer(i64::from(converted)))
            })
        } else {
            let mut message = b"Unknown PFDEBUG subcommand '".to_vec();
            message.extend_from_slice(sub);
            message.push(b'\'');
            Err(ReplyError::Err(Bytes::from(message)))
        }
    })())
}

#[cfg(test)]
mod hll_test;
