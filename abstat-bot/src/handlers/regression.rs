//! The regression dialogue: target → predictors → linear, or logistic for
//! a 0/1 target → `POST /analytics/regression/`.

use abstat_api::{RegressionModel, RegressionRequest};

use super::wizard::{Field, Opt, Question, TargetPrompts, Wizard};
use crate::api::Analysis;
use crate::texts::{Lang, T};

/// The next question of the regression dialogue.
pub fn question(w: &Wizard, lang: Lang) -> Question {
    let target = match w.target_and_features(
        lang,
        |c| c.is_numeric(),
        TargetPrompts {
            target: T::AskTarget,
            no_target: T::NoNumericTarget,
            features: T::AskPredictors,
        },
    ) {
        Ok(target) => target,
        Err(question) => return *question,
    };
    let Some(model) = w.one(Field::Model) else {
        let mut options = vec![Opt::new(T::ModelLinear.get(lang), "ols")];
        if target.is_zero_one() {
            options.push(Opt::new(T::ModelLogistic.get(lang), "logit"));
        }
        return Question::One {
            field: Field::Model,
            prompt: T::AskRegressionModel.get(lang).to_string(),
            options,
            skip: false,
        };
    };
    Question::Ready(Analysis::Regression(RegressionRequest {
        dataset_id: w.dataset.clone(),
        version: None,
        model: if model == "logit" {
            RegressionModel::Logit
        } else {
            RegressionModel::Ols
        },
        target: target.name.clone(),
        predictors: w.many(Field::Predictors).to_vec(),
        reference: Default::default(),
        intercept: true,
        weights: None,
        cov_type: Default::default(),
        alpha: super::ab::ALPHA,
    }))
}
