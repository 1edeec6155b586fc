//! Every text the bot sends, in Russian and English, from this one place,
//! and numbers formatted per language (a decimal comma in Russian).

use serde::{Deserialize, Serialize};

/// The language of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Russian.
    Ru,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// The language of a Telegram `language_code`: Russian for ru and the
    /// languages whose speakers mostly read Russian here, English otherwise.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code.map(|c| c.split(['-', '_']).next().unwrap_or(c).to_ascii_lowercase()) {
            Some(c) if matches!(c.as_str(), "ru" | "uk" | "be" | "kk" | "uz" | "ky") => Lang::Ru,
            _ => Lang::En,
        }
    }

    /// `ru` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// A number with `decimals` digits after the separator (a comma in
    /// Russian), thousands grouped (a thin space in Russian, a comma in
    /// English).
    pub fn number(self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return value.to_string();
        }
        let text = format!("{:.*}", decimals, value.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let (group, point) = match self {
            Lang::Ru => ('\u{202f}', ','),
            Lang::En => (',', '.'),
        };
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(ch);
        }
        let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            "−"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{frac}")
        }
    }

    /// A whole count.
    pub fn count(self, n: u64) -> String {
        self.number(n as f64, 0)
    }
}

/// One text of the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum T {
    /// `/start`.
    Greeting,
    /// `/help`.
    Help,
    /// `/lang` prompt.
    ChooseLanguage,
    /// After switching.
    LanguageSet,
    /// A file arrived; the upload starts.
    Uploading,
    /// The file is too big for the Bot API download.
    FileTooBig,
    /// Not a supported file.
    NotADataset,
    /// The server refused or could not read the file.
    UploadFailed,
    /// `/datasets` with none.
    NoDatasets,
    /// `/datasets` header.
    YourDatasets,
    /// The dataset menu header.
    DatasetMenu,
    /// Delete confirmation question.
    ConfirmDelete,
    /// After deleting.
    Deleted,
    /// Cancelled.
    Cancelled,
    /// The dataset is gone (deleted elsewhere).
    DatasetGone,
    /// The server cannot be reached.
    ServerDown,
    /// Something unexpected.
    Unexpected,
    /// A menu action that this build does not offer yet.
    NotYet,
    /// Text the bot did not understand.
    Unknown,
    /// Button captions.
    BtnClean,
    /// "Stat test".
    BtnStatTest,
    /// "Regression".
    BtnRegression,
    /// "Classification".
    BtnClassification,
    /// "A/B test".
    BtnAbTest,
    /// "Charts".
    BtnCharts,
    /// "Delete".
    BtnDelete,
    /// "Yes, delete".
    BtnConfirmDelete,
    /// "Back".
    BtnBack,
    /// "Cancel".
    BtnCancel,
    /// Profile: "rows".
    Rows,
    /// Profile: "columns".
    Columns,
    /// Profile: "missing".
    Missing,
    /// Profile: duplicate rows warning.
    DuplicateRows,
    /// Profile: a constant column warning.
    ConstantColumn,
    /// Profile: a column that is mostly empty.
    MostlyEmpty,
}

impl T {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        use T::*;
        let (ru, en) = match self {
            Greeting => (
                "Привет! Я abstat — считаю статистику для A/B-тестов и анализа данных.\n\n\
                 Пришлите файл (CSV, TSV, XLSX, Parquet, JSON), и я покажу его профиль, \
                 а затем посчитаю A/B-тест, статистические тесты, регрессию или классификацию \
                 и нарисую графики.\n\n/datasets — ваши наборы данных\n/power — размер выборки и MDE\n\
                 /help — справка и пример\n/lang — язык",
                "Hi! I am abstat: statistics for A/B tests and data analysis.\n\n\
                 Send me a file (CSV, TSV, XLSX, Parquet, JSON) and I will profile it, then run an \
                 A/B test, hypothesis tests, a regression or a classification and draw charts.\n\n\
                 /datasets: your datasets\n/power: sample size and MDE\n/help: help and a sample\n\
                 /lang: language",
            ),
            Help => (
                "Как пользоваться:\n1. Пришлите файл с данными документом (до 20 МБ через Telegram; \
                 больше — через HTTP API сервера).\n2. Выберите действие в меню набора данных.\n\
                 3. Отвечайте на вопросы кнопками; «Назад» и «Отмена» есть на каждом шаге.\n\n\
                 Пример для A/B-теста — CSV с колонками variant (A/B) и revenue:\n\
                 variant,revenue\nA,12.5\nB,14.1\nA,0\nB,9.9\n\n/cancel — прервать диалог.",
                "How to use me:\n1. Send a data file as a document (up to 20 MB through Telegram; \
                 bigger files go through the server's HTTP API).\n2. Pick an action in the dataset menu.\n\
                 3. Answer with the buttons; Back and Cancel are on every step.\n\n\
                 A sample for an A/B test: a CSV with columns variant (A/B) and revenue:\n\
                 variant,revenue\nA,12.5\nB,14.1\nA,0\nB,9.9\n\n/cancel stops a dialogue.",
            ),
            ChooseLanguage => ("Выберите язык:", "Choose a language:"),
            LanguageSet => ("Готово: теперь по-русски.", "Done: English from now on."),
            Uploading => ("Загружаю и читаю файл…", "Uploading and reading the file…"),
            FileTooBig => (
                "Файл больше 20 МБ — столько Telegram не отдаёт ботам. Загрузите его через HTTP API \
                 (POST /datasets/upload/) или уменьшите: оставьте нужные колонки или сохраните в Parquet.",
                "The file is over 20 MB, more than Telegram lets bots download. Upload it through the \
                 HTTP API (POST /datasets/upload/) or make it smaller: keep the columns you need or save it as Parquet.",
            ),
            NotADataset => (
                "Это не похоже на таблицу. Пришлите CSV, TSV, XLSX, XLS, ODS, Parquet, Feather или JSON документом.",
                "This does not look like a table. Send a CSV, TSV, XLSX, XLS, ODS, Parquet, Feather or JSON file as a document.",
            ),
            UploadFailed => ("Не удалось прочитать файл:", "I could not read the file:"),
            NoDatasets => (
                "У вас пока нет наборов данных. Пришлите файл — и он появится здесь.",
                "You have no datasets yet. Send me a file and it will appear here.",
            ),
            YourDatasets => ("Ваши наборы данных:", "Your datasets:"),
            DatasetMenu => ("Что сделать с набором", "What shall I do with"),
            ConfirmDelete => (
                "Удалить набор данных со всеми версиями? Это нельзя отменить.",
                "Delete this dataset with all its versions? This cannot be undone.",
            ),
            Deleted => ("Набор данных удалён.", "The dataset is deleted."),
            Cancelled => ("Отменено.", "Cancelled."),
            DatasetGone => (
                "Этого набора данных больше нет. /datasets покажет оставшиеся.",
                "This dataset no longer exists. /datasets shows the others.",
            ),
            ServerDown => (
                "Сервер abstat сейчас недоступен. Попробуйте через минуту.",
                "The abstat server is not reachable right now. Try again in a minute.",
            ),
            Unexpected => (
                "Что-то пошло не так на нашей стороне; мы это записали. Попробуйте ещё раз.",
                "Something went wrong on our side; it has been logged. Please try again.",
            ),
            NotYet => (
                "Этот анализ ещё не подключён к боту; он доступен через HTTP API.",
                "This analysis is not in the bot yet; it is available through the HTTP API.",
            ),
            Unknown => (
                "Не понял. Пришлите файл с данными или выберите команду: /datasets, /power, /help.",
                "I did not get that. Send a data file or pick a command: /datasets, /power, /help.",
            ),
            BtnClean => ("🧹 Очистка", "🧹 Clean"),
            BtnStatTest => ("🧪 Стат. тест", "🧪 Stat test"),
            BtnRegression => ("📈 Регрессия", "📈 Regression"),
            BtnClassification => ("🧭 Классификация", "🧭 Classification"),
            BtnAbTest => ("🅰️🅱️ A/B-тест", "🅰️🅱️ A/B test"),
            BtnCharts => ("📊 Графики", "📊 Charts"),
            BtnDelete => ("🗑 Удалить", "🗑 Delete"),
            BtnConfirmDelete => ("Да, удалить", "Yes, delete"),
            BtnBack => ("← Назад", "← Back"),
            BtnCancel => ("✕ Отмена", "✕ Cancel"),
            Rows => ("строк", "rows"),
            Columns => ("колонок", "columns"),
            Missing => ("пропусков", "missing"),
            DuplicateRows => ("повторяющихся строк", "duplicate rows"),
            ConstantColumn => (
                "одно значение во всех строках — для анализа бесполезна",
                "one value in every row: useless for analysis",
            ),
            MostlyEmpty => (
                "больше половины значений пусто",
                "more than half of the values are missing",
            ),
        };
        lang.pick(ru, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(
            Lang::Ru.number(1234567.891, 2),
            "1\u{202f}234\u{202f}567,89"
        );
        assert_eq!(Lang::En.number(1234567.891, 2), "1,234,567.89");
        assert_eq!(Lang::Ru.number(-0.0131, 3), "−0,013");
        assert_eq!(
            Lang::En.number(-0.0001, 2),
            "0.00",
            "no minus on a rounded zero"
        );
        assert_eq!(Lang::En.count(1000), "1,000");
        assert_eq!(Lang::En.number(999.5, 0), "1,000");
    }

    #[test]
    fn telegram_language_codes_map_to_ru_or_en() {
        assert_eq!(Lang::from_code(Some("ru")), Lang::Ru);
        assert_eq!(Lang::from_code(Some("uk-UA")), Lang::Ru);
        assert_eq!(Lang::from_code(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_code(Some("de")), Lang::En);
        assert_eq!(Lang::from_code(None), Lang::En);
    }

    #[test]
    fn every_text_exists_in_both_languages_and_differs() {
        use T::*;
        for t in [
            Greeting,
            Help,
            ChooseLanguage,
            LanguageSet,
            Uploading,
            FileTooBig,
            NotADataset,
            UploadFailed,
            NoDatasets,
            YourDatasets,
            DatasetMenu,
            ConfirmDelete,
            Deleted,
            Cancelled,
            DatasetGone,
            ServerDown,
            Unexpected,
            NotYet,
            Unknown,
            BtnClean,
            BtnDelete,
            BtnBack,
            BtnCancel,
            Rows,
            Columns,
            Missing,
        ] {
            let (ru, en) = (t.get(Lang::Ru), t.get(Lang::En));
            assert!(!ru.is_empty() && !en.is_empty(), "{t:?}");
            assert_ne!(ru, en, "{t:?} is not translated");
        }
    }
}
