#pragma once

// PII redaction of an exported session document (SPEC 11 "New:"): user ids,
// chat ids and phone numbers are replaced everywhere in the document with
// the stable hashes of SPEC 9 (core/pii.hpp), on every platform. Pure: the
// input is not modified, nothing is read or written.
//
// The rules:
//  - Ids are collected from the document's own fields, at any depth:
//    `user_id`, `user_id_alt` (user ids) and `chat_id`, `chat_id_alt` (chat
//    ids); numbers count as their decimal text, "" and null are ignored.
//    `thread_id` values are collected too (not PII: kept, but needed to read
//    a session key).
//  - Those fields become `user_<12 hex>` / `<prefix>:<12 hex>` (the context
//    prompt's forms).
//  - `session_key`: the components after `agent:<name>:<platform>:<type>`
//    are read in order; a chat id gets the chat form, a user id the user
//    form, a thread id is kept, and whatever is left unrecognised at the end
//    is hashed as a whole (`<12 hex>`) so nothing leaks. A key not of that
//    shape is treated as text.
//  - Every other string (message text, titles, tool calls, system prompt...)
//    is text: each collected id that appears as a whole word (not touching a
//    letter, digit or '_' on a side where the id itself starts/ends with one)
//    is replaced; a value that is both a user and a chat id (a Telegram DM)
//    takes the user form. Then every phone number is replaced by
//    `user_<12 hex of "+<digits>">`, so a Signal user id `+15551234567` and
//    the text `+1 (555) 123-4567` hash alike.
//  - A phone number: `+`, not preceded by a letter, digit or '+', then 7-15
//    digits in total, which may be separated by single spaces, '-', '.' or
//    parentheses (at most two separator characters in a row, as in ") ");
//    it starts with a digit or '(' and ends with a digit. Plain digit runs
//    without '+' are not treated as phone numbers (order numbers, amounts and
//    times look the same) unless they are a collected id.
//  - Object keys, numbers and booleans are kept.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace switchboard::core {

/// The redacted copy of `doc` (a session export: the sessions row with its
/// `messages`, or any JSON value).
nlohmann::json redact_export(const nlohmann::json& doc);

/// Replaces phone numbers (the pattern above) in `text`.
std::string redact_phone_numbers(std::string_view text);

} // namespace switchboard::core
