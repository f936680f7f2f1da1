//! The one walk over an error's source chain, and what is read from it.

use std::error::Error;

/// `e`, then each of its sources, outermost first.
pub fn chain<'a>(e: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(e), |&e| e.source())
}

/// The first error of `e`'s chain (`e` included) that is a `T`.
#[must_use]
pub fn find<'a, T: Error + 'static>(e: &'a (dyn Error + 'static)) -> Option<&'a T> {
    chain(e).find_map(|e| e.downcast_ref::<T>())
}

/// `e` and its sources on one `: `-separated text, leaving out a source whose
/// text the text so far already quotes.
#[must_use]
pub fn chain_text(e: &(dyn Error + 'static)) -> String {
    let mut text = e.to_string();
    for s in chain(e).skip(1) {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
    }
    text
}

/// The texts of `e`'s sources (not `e` itself), outermost first, each
/// distinct text once.
#[must_use]
pub fn source_texts(e: &(dyn Error + 'static)) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for s in chain(e).skip(1) {
        let text = s.to_string();
        if !texts.contains(&text) {
            texts.push(text);
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn Error + 'static))
        }
    }

    fn layers(texts: &[&'static str]) -> Layer {
        texts
            .iter()
            .rev()
            .fold(None, |inner, t| Some(Layer(t, inner.map(Box::new))))
            .expect("at least one layer")
    }

    #[test]
    fn chain_text_skips_sources_already_quoted() {
        let e = layers(&["cannot connect: refused", "refused", "os error 111"]);
        assert_eq!(chain_text(&e), "cannot connect: refused: os error 111");
        assert_eq!(chain(&e).count(), 3);
    }

    #[test]
    fn source_texts_leave_out_the_error_and_repeats() {
        let e = layers(&["request failed", "timeout", "timeout", "dns"]);
        assert_eq!(source_texts(&e), ["timeout", "dns"]);
        assert!(source_texts(&layers(&["alone"])).is_empty());
    }

    #[test]
    fn find_returns_the_first_error_of_a_type() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        let e = anyhow::Error::new(io).context("writing");
        let found = find::<std::io::Error>(e.as_ref()).expect("an io error in the chain");
        assert_eq!(found.kind(), std::io::ErrorKind::BrokenPipe);
        assert!(find::<std::fmt::Error>(e.as_ref()).is_none());
    }
}
