//! A `factories/` module among production sources (`src/factories/claim/factory.js`,
//! `app/factories/notice.py`): the factory pattern of the domain — functions that build claims,
//! notices or parties for the service itself — or the test factories of a test-data library. The path
//! convention says only "fixture"; what the module uses decides. It is test data only when it uses a
//! test factory or a library of made-up values (factory_bot, factory_boy, fishery, rosie, Faker, chance, …):
//! otherwise production importing it imports its own code, and the module says so (`NotATest`). A
//! `factories/` directory in a test tree (`spec/factories/`) is never read here: it stays a fixture.

use super::libraries;
use super::{Extracted, Fact, Source};
use crate::repo::classify::Lang;

/// Random-value helpers that only test-data factories use among the modules read here (not in the one
/// list of test libraries, where a production import of them would be judged everywhere).
const JS_FACTORY_HELPERS: &[&str] = &["chance", "casual"];

/// Python factory libraries by the module they are imported as (factory_boy is `factory`).
const PYTHON_FACTORY_MODULES: &[&str] = &["factory", "model_bakery", "mimesis", "polyfactory"];

/// Say whether a `factories/` module is test data, by the libraries it uses.
pub(crate) fn extract(src: &Source, lang: Lang, out: &mut Extracted) {
    let test_data = match lang {
        Lang::JavaScript | Lang::TypeScript => js_uses_factory_library(src.text),
        Lang::Python => python_uses_factory_library(src.text),
        Lang::Ruby => ruby_uses_factory_library(src.text),
        _ => true,
    };
    if !test_data {
        out.facts.push(Fact::NotATest {
            path: src.path.to_string(),
        });
    }
}

fn js_uses_factory_library(text: &[u8]) -> bool {
    super::javascript::specifiers(text)
        .into_iter()
        .any(|(_, spec)| {
            let s = String::from_utf8_lossy(&text[spec]);
            libraries::js_module(&s).is_some() || JS_FACTORY_HELPERS.contains(&s.as_ref())
        })
}

fn python_uses_factory_library(text: &[u8]) -> bool {
    text.split(|b| *b == b'\n').any(|line| {
        let l = String::from_utf8_lossy(line);
        let l = l.trim_start();
        let module = l
            .strip_prefix("import ")
            .or_else(|| l.strip_prefix("from "))
            .map(|rest| rest.split([' ', ',']).next().unwrap_or(""));
        module.is_some_and(|m| {
            let top = m.split('.').next().unwrap_or(m);
            libraries::python_module(m).is_some() || PYTHON_FACTORY_MODULES.contains(&top)
        })
    })
}

fn ruby_uses_factory_library(text: &[u8]) -> bool {
    // FactoryBot's definitions are loaded by the test helper, so they need no `require` of their own.
    let defines = [
        &b"FactoryBot.define"[..],
        b"FactoryGirl.define",
        b"Fabricator(",
        b"Faker::",
    ]
    .iter()
    .any(|w| memchr::memmem::find(text, w).is_some());
    defines
        || text.split(|b| *b == b'\n').any(|line| {
            let l = String::from_utf8_lossy(line);
            let l = l.trim_start();
            l.strip_prefix("require ").is_some_and(|r| {
                libraries::ruby_feature(r.trim().trim_matches(['"', '\'', '(', ')'])).is_some()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn not_a_test(path: &str, lang: Lang, code: &str) -> bool {
        let out =
            super::super::extract_for_test(path, code, Syntax::Hash, |s, o| extract(s, lang, o));
        matches!(out.facts.as_slice(), [Fact::NotATest { .. }])
    }

    #[test]
    fn a_factory_is_test_data_only_with_a_test_data_library() {
        let domain =
            "const Own = require('./own');\nmodule.exports.create = (kind) => new Own(kind);\n";
        assert!(not_a_test(
            "src/factories/party/factory.js",
            Lang::JavaScript,
            domain
        ));
        for js in [
            "const { faker } = require('@faker-js/faker');\nmodule.exports = () => ({ name: faker.person.fullName() });\n",
            "import { Factory } from 'fishery';\nexport const user = Factory.define(() => ({}));\n",
            "import Chance from 'chance';\n",
        ] {
            assert!(!not_a_test("src/factories/user.js", Lang::JavaScript, js), "{js}");
        }
        assert!(not_a_test(
            "app/factories/notice.py",
            Lang::Python,
            "from app.models import Notice\n\ndef build(kind):\n    return Notice(kind)\n"
        ));
        assert!(!not_a_test(
            "app/factories/notice.py",
            Lang::Python,
            "import factory\n\nclass NoticeFactory(factory.Factory):\n    pass\n"
        ));
        assert!(!not_a_test(
            "app/factories/users.rb",
            Lang::Ruby,
            "FactoryBot.define do\n  factory :user do\n  end\nend\n"
        ));
    }
}
