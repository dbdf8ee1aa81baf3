//! The questions for search by meaning (`tests/fixtures/meaning_questions.toml`), read the
//! same way by `quire-bench meaning` and by the test that keeps the set well-formed (which
//! includes this file by its path).

#[derive(serde::Deserialize)]
struct Set {
    question: Vec<Question>,
}

#[derive(serde::Deserialize)]
struct Question {
    ask: String,
    target: String,
}

/// Each question, with the id of the item it asks for.
pub fn meaning_questions() -> Vec<(String, String)> {
    let text = include_str!("../../../tests/fixtures/meaning_questions.toml");
    let set: Set = toml::from_str(text).expect("tests/fixtures/meaning_questions.toml");
    set.question
        .into_iter()
        .map(|q| (q.ask, q.target))
        .collect()
}
