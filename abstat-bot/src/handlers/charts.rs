//! The Charts dialogue: the kind of chart (histogram, box, bars, scatter,
//! correlation, QQ) → its column(s), offered from the dataset's columns of
//! a fitting type → the image from `GET /analytics/visualize/`, drawn by
//! the server in the chat's language and sent as a photo.

use abstat_api::{ChartType, VisualizeQuery};
use teloxide::prelude::*;

use super::attachments::input_file;
use super::columns::{ColumnFacts, ColumnType};
use super::wizard::{self, Field, Opt, Question, Wizard};
use super::{Ctx, HandlerError, Place, Step, api_failure, button};
use crate::texts::{Lang, T, escape};

/// The dataset charts offered, in this order.
pub const KINDS: [(ChartType, T); 6] = [
    (ChartType::Histogram, T::ChartHistogram),
    (ChartType::Box, T::ChartBox),
    (ChartType::Bars, T::ChartBars),
    (ChartType::Scatter, T::ChartScatter),
    (ChartType::Correlation, T::ChartCorrelation),
    (ChartType::Qq, T::ChartQq),
];

/// Columns a bar chart of value counts reads well: few distinct values,
/// or any text.
fn is_category(c: &ColumnFacts) -> bool {
    c.is_grouping() || c.ty == ColumnType::Text
}

/// The next question of the Charts dialogue, or the chart to draw.
pub fn question(w: &Wizard, lang: Lang) -> Question {
    let one = |field, prompt: T, options: Vec<Opt>, skip| {
        if options.is_empty() {
            return Question::Impossible(T::NoChartColumn.get(lang).to_string());
        }
        Question::One {
            field,
            prompt: prompt.get(lang).to_string(),
            options,
            skip,
        }
    };
    let numeric = |except: Option<&str>| {
        w.column_options(
            w.columns
                .iter()
                .filter(|c| c.is_numeric() && Some(c.name.as_str()) != except),
        )
    };
    let Some(kind) = w
        .one(Field::ChartKind)
        .and_then(|k| k.parse::<ChartType>().ok())
    else {
        let options = KINDS
            .iter()
            .map(|(kind, label)| Opt::new(label.get(lang), kind.as_str()))
            .collect();
        return one(Field::ChartKind, T::AskChartKind, options, false);
    };
    let mut query = VisualizeQuery {
        kind: kind.as_str().to_string(),
        dataset_id: Some(w.dataset.clone()),
        version: w.version,
        lang: Some(lang.code().to_string()),
        ..VisualizeQuery::default()
    };
    match kind {
        ChartType::Scatter => {
            let Some(x) = w.one(Field::X) else {
                return one(Field::X, T::AskChartX, numeric(None), false);
            };
            let Some(y) = w.one(Field::Y) else {
                return one(Field::Y, T::AskChartY, numeric(Some(x)), false);
            };
            query.x = Some(x.to_string());
            query.y = Some(y.to_string());
        }
        ChartType::Correlation => {
            if !w.answered(Field::Columns) {
                let options = numeric(None);
                if options.len() < 2 {
                    return Question::Impossible(T::NoChartColumn.get(lang).to_string());
                }
                return Question::Many {
                    field: Field::Columns,
                    prompt: T::AskChartColumns.get(lang).to_string(),
                    options,
                };
            }
            query.columns = Some(w.many(Field::Columns).join(","));
        }
        _ => {
            let Some(column) = w.one(Field::Column) else {
                let options = if kind == ChartType::Bars {
                    w.column_options(w.columns.iter().filter(|c| is_category(c)))
                } else {
                    numeric(None)
                };
                return one(Field::Column, T::AskChartColumn, options, false);
            };
            query.column = Some(column.to_string());
            if kind == ChartType::Box {
                if !w.answered(Field::Group) {
                    let options = w.column_options(
                        w.columns
                            .iter()
                            .filter(|c| c.is_grouping() && c.name != column),
                    );
                    if !options.is_empty() {
                        return one(Field::Group, T::AskChartGroup, options, true);
                    }
                }
                query.group = w.one(Field::Group).map(str::to_string);
            }
        }
    }
    Question::Draw(query)
}

/// Fetch the chart and send it as a photo; the dialogue's message offers
/// another chart and the dataset menu. A chart the server cannot draw is
/// explained in the message, with Back and Cancel.
pub async fn draw(
    ctx: &Ctx<'_>,
    place: Place,
    w: Wizard,
    query: VisualizeQuery,
) -> Result<Step, HandlerError> {
    let lang = ctx.lang;
    match ctx.api.chart(ctx.tg, &query).await {
        Ok(image) => {
            let keyboard = vec![vec![
                button(
                    T::BtnAnotherChart.get(lang),
                    format!("act:charts:{}", w.dataset),
                ),
                button(T::BtnMenu.get(lang), format!("ds:{}", w.dataset)),
            ]];
            let body = escape(T::ChartSent.get(lang));
            wizard::show(ctx, place, &w, &body, keyboard).await?;
            let name = format!("{}.png", query.kind);
            ctx.bot
                .send_photo(place.chat, input_file(image, name))
                .await?;
            Ok(Step::Menu { dataset: w.dataset })
        }
        Err(e) => {
            let why = T::ChartFailed.fill(lang, &[("error", &api_failure(&e, lang))]);
            wizard::show(ctx, place, &w, &escape(&why), vec![wizard::nav(&w, lang)]).await?;
            Ok(Step::Wizard(w))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::wizard::{Answer, Flow, Given};

    fn column(name: &str, ty: ColumnType, distinct: u64) -> ColumnFacts {
        ColumnFacts::test(name, ty, distinct)
    }

    fn wizard(columns: Vec<ColumnFacts>, answers: &[(Field, &str)]) -> Wizard {
        Wizard {
            flow: Flow::Chart,
            dataset: "d".into(),
            title: "t".into(),
            version: Some(3),
            columns,
            answers: answers
                .iter()
                .map(|(field, v)| Given {
                    field: *field,
                    answer: Answer::One(v.to_string()),
                    shown: v.to_string(),
                })
                .collect(),
            ticked: Vec::new(),
        }
    }

    #[test]
    fn a_chart_without_a_fitting_column_is_explained_not_offered_empty() {
        let texts = vec![column("city", ColumnType::Text, 50)];
        let w = wizard(texts.clone(), &[(Field::ChartKind, "histogram")]);
        assert_eq!(
            question(&w, Lang::En),
            Question::Impossible(T::NoChartColumn.get(Lang::En).into())
        );
        let one_number = vec![texts[0].clone(), column("x", ColumnType::Float, 9)];
        let w = wizard(one_number, &[(Field::ChartKind, "correlation")]);
        assert!(matches!(question(&w, Lang::Ru), Question::Impossible(_)));
    }

    #[test]
    fn a_box_plot_without_groups_draws_one_box_of_the_pinned_version() {
        let w = wizard(
            vec![column("x", ColumnType::Float, 100)],
            &[(Field::ChartKind, "box"), (Field::Column, "x")],
        );
        let Question::Draw(q) = question(&w, Lang::Ru) else {
            panic!("{:?}", question(&w, Lang::Ru))
        };
        assert_eq!(
            (q.kind.as_str(), q.column.as_deref(), q.group, q.version),
            ("box", Some("x"), None, Some(3))
        );
        assert_eq!(q.lang.as_deref(), Some("ru"));
    }
}
