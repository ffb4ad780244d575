#pragma once

// The readable export of one session as Markdown (SPEC 11 "New:"). Pure: a
// function of the export document (the sessions row with its `messages`,
// as store_reader::export_session returns it), no I/O.
//
// Layout:
//   # <title, else "Session <id>">
//   - **Session:** `<id>`            - **Source:** <platform>[ (<chat_type>)]
//   - **Session key:** `<key>`       (when set)
//   - **User:** `<user_id>`          (when set)
//   - **Model:** <model>             (when set)
//   - **Started:** <time>            - **Ended:** <time> (<end_reason>) | open
//   - **Parent session:** `<id>`     (when set)
//   ## <n>. <Role> · <time>          one per message, n counts from 1
//   <content>                        verbatim; "_(no content)_" when empty
//   **Tool calls:** + a fenced ```json block (pretty-printed, 2 spaces)
// Tool results read "## <n>. Tool result (`<tool_name>`) · <time>".
// Times are UTC, "YYYY-MM-DD HH:MM:SS UTC", from epoch-second numbers.
// Messages with `active` 0/false (rewritten away) are left out; reasoning
// fields are not shown. A fence is longer than any backtick run inside it.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace switchboard::core {

/// The Markdown document for one exported session; ends with a newline.
std::string render_session_markdown(const nlohmann::json& session);

/// The export formats (API.md: `format=json|markdown`, `--format`).
enum class export_format { json, markdown };

/// "json" or "markdown"; bad_request "<field>: expected json or markdown".
result<export_format> parse_export_format(std::string_view text,
                                          std::string_view field);

/// Separates sessions when several are written to one Markdown stream.
inline constexpr std::string_view markdown_session_separator = "\n---\n\n";

} // namespace switchboard::core
