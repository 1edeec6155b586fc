//! The classification dialogue: target (2 to 20 classes) → features →
//! model → `POST /analytics/classification/`.

use abstat_api::{ClassificationRequest, ClassifierModel};

use super::wizard::{Field, Opt, Question, TargetPrompts, Wizard};
use crate::api::Analysis;
use crate::texts::{Lang, T, model_name};

/// The models offered, in this order.
pub const MODELS: [ClassifierModel; 7] = [
    ClassifierModel::Logistic,
    ClassifierModel::RandomForest,
    ClassifierModel::GradientBoosting,
    ClassifierModel::DecisionTree,
    ClassifierModel::NaiveBayes,
    ClassifierModel::Knn,
    ClassifierModel::LinearSvm,
];

/// The next question of the classification dialogue.
pub fn question(w: &Wizard, lang: Lang) -> Question {
    let target = match w.target_and_features(
        lang,
        |c| c.is_grouping(),
        TargetPrompts {
            target: T::AskClassTarget,
            no_target: T::NoClassTarget,
            features: T::AskFeatures,
        },
    ) {
        Ok(target) => target,
        Err(question) => return *question,
    };
    let model = w
        .one(Field::Model)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|i| MODELS.get(i));
    let Some(&model) = model else {
        let options = MODELS
            .iter()
            .enumerate()
            .map(|(i, m)| Opt::new(model_name(*m, lang), i.to_string()))
            .collect();
        return Question::One {
            field: Field::Model,
            prompt: T::AskClassifier.get(lang).to_string(),
            options,
            skip: false,
        };
    };
    Question::Ready(Analysis::Classification(ClassificationRequest {
        dataset_id: w.dataset.clone(),
        version: None,
        model,
        params: Default::default(),
        target: target.name.clone(),
        features: w.many(Field::Predictors).to_vec(),
        test_size: 0.25,
        cv_folds: None,
        seed: 0,
    }))
}
