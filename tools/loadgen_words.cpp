// The load generator's word list: a few hundred common English words, so the
// generated messages give the search index real vocabulary to work on.

#include "tools/loadgen_workload.hpp"

namespace switchboard::tools::loadgen {

const std::vector<std::string_view>& common_words() {
  static const std::vector<std::string_view> words = {
    "the", "be", "to", "of", "and", "a", "in", "that", "have", "it", "for",
    "not", "on", "with", "he", "as", "you", "do", "at", "this", "but", "his",
    "by", "from", "they", "we", "say", "her", "she", "or", "an", "will", "my",
    "one", "all", "would", "there", "their", "what", "so", "up", "out", "if",
    "about", "who", "get", "which", "go", "me", "when", "make", "can", "like",
    "time", "no", "just", "him", "know", "take", "people", "into", "year",
    "your", "good", "some", "could", "them", "see", "other", "than", "then",
    "now", "look", "only", "come", "its", "over", "think", "also", "back",
    "after", "use", "two", "how", "our", "work", "first", "well", "way",
    "even", "new", "want", "because", "any", "these", "give", "day", "most",
    "us", "is", "are", "was", "were", "been", "has", "had", "did", "does",
    "said", "went", "made", "found", "thing", "man", "world", "life", "hand",
    "part", "child", "eye", "woman", "place", "week", "case", "point",
    "government", "company", "number", "group", "problem", "fact", "system",
    "program", "question", "home", "water", "room", "mother", "area", "money",
    "story", "month", "lot", "right", "study", "book", "job", "word",
    "business", "issue", "side", "kind", "head", "house", "service", "friend",
    "father", "power", "hour", "game", "line", "end", "member", "law", "car",
    "city", "community", "name", "president", "team", "minute", "idea", "kid",
    "body", "information", "school", "face", "others", "level", "office",
    "door", "health", "person", "art", "war", "history", "party", "result",
    "change", "morning", "reason", "research", "girl", "guy", "moment", "air",
    "teacher", "force", "education", "foot", "boy", "age", "policy",
    "process", "music", "market", "sense", "nation", "plan", "college",
    "interest", "death", "experience", "effect", "class", "control", "care",
    "field", "development", "role", "effort", "rate", "heart", "drug", "show",
    "leader", "light", "voice", "wife", "police", "mind", "price", "report",
    "decision", "son", "view", "relationship", "town", "road", "arm",
    "difference", "value", "building", "action", "model", "season", "society",
    "tax", "director", "position", "player", "record", "paper", "space",
    "ground", "form", "event", "official", "matter", "center", "couple",
    "site", "project", "activity", "star", "table", "need", "court", "oil",
    "situation", "cost", "industry", "figure", "street", "image", "phone",
    "data", "picture", "practice", "piece", "land", "product", "doctor",
    "wall", "patient", "worker", "news", "test", "movie", "north", "love",
    "support", "technology", "step", "baby", "computer", "type", "attention",
    "film", "tree", "source", "organization", "hair", "window", "evidence",
    "population", "site", "daughter", "weather", "travel", "schedule",
    "meeting", "dinner", "lunch", "coffee", "ticket", "flight", "train",
    "hotel", "invoice", "deploy", "server", "release", "bug", "feature",
    "review", "draft", "email", "message", "reminder", "calendar", "budget",
    "recipe", "garden", "weekend", "holiday", "birthday", "question",
    "answer", "quickly", "really", "always", "never", "often", "maybe",
    "please", "thanks", "sure", "great", "small", "large", "early", "late",
    "important", "different", "possible", "public", "able", "free", "real",
    "best", "better", "sure", "happy", "ready", "simple", "clear", "easy",
    "hard", "strong", "open", "close", "short", "long", "high", "low",
    "young", "old", "next", "last", "little", "big", "own", "same", "few",
    "many", "much", "more", "less", "again", "still", "here", "where",
    "why", "tomorrow", "yesterday", "today", "tonight", "soon", "later",
    "check", "send", "find", "call", "write", "read", "help", "start", "stop",
    "move", "play", "run", "believe", "bring", "happen", "sit", "stand",
    "lose", "pay", "meet", "include", "continue", "learn", "lead",
    "understand", "watch", "follow", "create", "speak", "allow", "add",
    "spend", "grow", "offer", "remember", "consider", "appear", "buy",
    "wait", "serve", "die", "build", "stay", "fall", "cut", "reach", "kill",
    "remain", "suggest", "raise", "pass", "sell", "require", "decide",
    "explain", "hope", "develop", "carry", "break", "receive", "agree",
    "summarize", "translate", "compare", "booking", "account", "password",
    "update", "install", "configure", "backup", "restore", "search"};
  return words;
}

} // namespace switchboard::tools::loadgen
