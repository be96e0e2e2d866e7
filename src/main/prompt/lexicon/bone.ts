// How bone-tumour reports write lesions, bones and their parts, as data: written forms → canonical terms
// (common.ts says how forms are written). The canonical terms are BTXRD's own words, as its descriptions
// write them ("One benign osteochondroma lesion in the tibia of the lower limb (frontal view), …").
import type { Entry, Table } from './common';

export type Malignancy = 'benign' | 'malignant';

export interface LesionKind extends Entry {
  /** BTXRD's class of the kind; null for "bone tumor", which its descriptions call either. */
  malignancy: Malignancy | null;
}

/** BTXRD's lesion kinds and what reports call them. */
export const LESION_KINDS: Table<LesionKind> = {
  name: 'lesion kind',
  entries: [
    {
      term: 'osteochondroma',
      malignancy: 'benign',
      forms: [
        ...['osteochondroma', 'exostosis', 'osteocartilaginous exostosis', 'cartilaginous exostosis', 'oc'],
        ...['sessile osteochondroma', 'pedunculated osteochondroma', 'hereditary multiple exostosis'],
        ...['multiple osteochondroma', 'osteochondromatosis'],
      ],
    },
    {
      term: 'synovial osteochondroma',
      malignancy: 'benign',
      forms: ['synovial osteochondroma', 'synovial chondromatosis', 'synovial osteochondromatosis'],
    },
    {
      term: 'osteosarcoma',
      malignancy: 'malignant',
      forms: ['osteosarcoma', 'osteogenic sarcoma', 'os', 'osteoblastic osteosarcoma', 'telangiectatic osteosarcoma'],
    },
    {
      term: 'simple bone cyst',
      malignancy: 'benign',
      forms: [
        ...['simple bone cyst', 'unicameral bone cyst', 'unicameral cyst', 'solitary bone cyst', 'simple cyst'],
        ...['sbc', 'ubc', 'bone cyst', 'cyst'],
      ],
    },
    {
      term: 'giant cell tumor',
      malignancy: 'benign',
      forms: ['giant cell tumor', 'giant-cell tumor', 'gct', 'gctb', 'osteoclastoma', 'giant cell tumor of bone'],
    },
    {
      term: 'osteofibroma',
      malignancy: 'benign',
      forms: [
        ...['osteofibroma', 'osteofibrous dysplasia', 'ossifying fibroma', 'non-ossifying fibroma', 'nof'],
        ...['fibrous cortical defect', 'fcd', 'fibroxanthoma', 'fibroma', 'fibrous dysplasia'],
      ],
    },
    {
      term: 'bone tumor',
      malignancy: null,
      forms: [
        ...['bone tumor', 'tumor', 'bone neoplasm', 'neoplasm', 'bone lesion', 'bony lesion', 'osseous lesion'],
        ...['sarcoma', 'chondrosarcoma', 'ewing sarcoma', 'enchondroma', 'chondroma', 'osteoid osteoma'],
        ...['aneurysmal bone cyst', 'abc', 'chondroblastoma', 'metastasis', 'myeloma', 'osteoblastoma'],
        ...['osteoma', 'fibrosarcoma', 'chondromyxoid fibroma', 'lymphoma', 'brown tumor'],
      ],
    },
  ],
};

/** A lesion not named by kind ("a lesion", "a mass"). */
export const LESION_WORDS: Table = {
  name: 'lesion',
  entries: [{ term: 'lesion', forms: ['lesion', 'mass', 'growth', 'tumor lesion'] }],
};

/** Benign or malignant, as said or as the lesion's look implies ("aggressive", "permeative"). */
export const MALIGNANCY: Table<Entry & { term: Malignancy }> = {
  name: 'malignancy',
  entries: [
    {
      term: 'benign',
      forms: ['benign', 'benign-appearing', 'benign appearance', 'non-aggressive', 'nonaggressive', 'indolent'],
    },
    {
      term: 'malignant',
      forms: [
        ...['malignant', 'malignant-appearing', 'malignancy', 'aggressive', 'permeative', 'moth-eaten'],
        ...['sunburst', 'codman triangle', 'periosteal reaction', 'cortical destruction', 'soft tissue mass'],
      ],
    },
  ],
};

/** What a lesion looks like on the film: read, and dropped from the canonical text (its kind says more). */
export const APPEARANCE: Table = {
  name: 'appearance',
  entries: [
    { term: 'lytic', forms: ['lytic', 'osteolytic', 'lucent', 'lucency', 'radiolucent', 'lucent area'] },
    { term: 'sclerotic', forms: ['sclerotic', 'blastic', 'osteoblastic', 'sclerosis', 'dense'] },
    {
      term: '',
      forms: [
        ...['mixed', 'expansile', 'expanded', 'well-defined', 'well defined', 'ill-defined', 'geographic'],
        ...['cortical', 'eccentric', 'central', 'cartilage-capped', 'bony', 'osseous', 'exophytic', 'sessile'],
        ...['pedunculated', 'large', 'small', 'solitary', 'primary', 'appearing', 'suspicious'],
      ],
    },
  ],
};

export type Limb = 'upper limb' | 'lower limb' | 'pelvis';

export interface Bone extends Entry {
  /** The limb BTXRD's descriptions most often place this bone in. */
  limb: Limb;
}

/**
 * BTXRD's bones and joints, by the bones, regions and adjectives reports use. A bone BTXRD does not name
 * reads as the nearest one it does: the scapula and clavicle as the shoulder joint, the sacrum as the hip
 * bone (the pelvis), the patella as the knee joint, the tarsal and carpal bones as the foot and the hand.
 * A malleolus is the end of its bone: "lateral malleolus" is the distal fibula (BONE_PARTS says distal),
 * never a lateral view.
 */
export const BONES: Table<Bone> = {
  name: 'bone',
  entries: [
    {
      term: 'tibia',
      limb: 'lower limb',
      forms: [
        ...['tibia', 'tibial', 'tib', 'shin', 'tibial plateau', 'medial malleolus'],
        ...['lateral tibial plateau', 'medial tibial plateau'],
      ],
    },
    {
      term: 'femur',
      limb: 'lower limb',
      forms: [
        ...['femur', 'femoral', 'fem', 'thigh', 'thigh bone', 'femoral neck'],
        ...['lateral femoral condyle', 'medial femoral condyle'],
      ],
    },
    { term: 'humerus', limb: 'upper limb', forms: ['humerus', 'humeral', 'hum', 'humeral head'] },
    { term: 'fibula', limb: 'lower limb', forms: ['fibula', 'fibular', 'fib', 'lateral malleolus'] },
    {
      term: 'hand',
      limb: 'upper limb',
      forms: [
        ...['hand', 'metacarpal', 'metacarpus', 'phalanx', 'phalanges', 'phalangeal', 'finger', 'thumb'],
        ...['carpal', 'carpus', 'wrist', 'digit', 'scaphoid', 'lunate', 'triquetrum', 'pisiform', 'trapezium'],
        ...['trapezoid', 'capitate', 'hamate'],
      ],
    },
    {
      term: 'foot',
      limb: 'lower limb',
      forms: [
        ...['foot', 'feet', 'metatarsal', 'metatarsus', 'tarsal', 'tarsus', 'calcaneus', 'calcaneal'],
        ...['talus', 'talar', 'toe', 'hallux', 'cuboid', 'navicular', 'cuneiform', 'heel', 'os calcis'],
      ],
    },
    {
      term: 'hip bone',
      limb: 'pelvis',
      forms: [
        ...['hip bone', 'hip', 'ilium', 'iliac', 'iliac wing', 'iliac bone', 'ischium', 'ischial', 'pubis', 'pubic'],
        ...['pubic ramus', 'acetabulum', 'acetabular', 'innominate', 'innominate bone', 'pelvic bone'],
        ...['sacrum', 'sacral', 'sacroiliac', 'sacroiliac joint'],
      ],
    },
    { term: 'ulna', limb: 'upper limb', forms: ['ulna', 'ulnar', 'olecranon'] },
    { term: 'radius', limb: 'upper limb', forms: ['radius', 'radial'] },
    { term: 'knee joint', limb: 'lower limb', forms: ['knee joint', 'knee', 'patella', 'patellar'] },
    {
      term: 'shoulder joint',
      limb: 'upper limb',
      forms: [
        ...['shoulder joint', 'shoulder', 'glenohumeral joint', 'scapula', 'scapular', 'glenoid', 'acromion'],
        ...['coracoid', 'clavicle', 'clavicular', 'collarbone', 'shoulder blade'],
      ],
    },
    { term: 'elbow joint', limb: 'upper limb', forms: ['elbow joint', 'elbow'] },
    {
      term: 'ankle joint',
      limb: 'lower limb',
      forms: ['ankle joint', 'ankle', 'malleolus', 'malleolar', 'malleoli', 'bimalleolar'],
    },
    { term: 'hip joint', limb: 'pelvis', forms: ['hip joint'] },
  ],
};

export const LIMBS: Table<Entry & { term: Limb }> = {
  name: 'limb',
  entries: [
    { term: 'upper limb', forms: ['upper limb', 'upper extremity', 'arm', 'forearm', 'upper arm'] },
    { term: 'lower limb', forms: ['lower limb', 'lower extremity', 'leg', 'lower leg'] },
    { term: 'pelvis', forms: ['pelvis', 'pelvic'] },
  ],
};

/** Where on a bone: read, and dropped from the canonical text (BTXRD's descriptions do not give it). */
export const BONE_PARTS: Table = {
  name: 'bone part',
  entries: [
    { term: 'distal', forms: ['distal', 'distally', 'medial malleolus', 'lateral malleolus'] },
    { term: 'proximal', forms: ['proximal', 'proximally'] },
    { term: 'diaphysis', forms: ['diaphysis', 'diaphyseal', 'shaft', 'midshaft', 'mid-shaft', 'diaphyseal region'] },
    { term: 'metaphysis', forms: ['metaphysis', 'metaphyseal', 'metadiaphysis', 'metadiaphyseal'] },
    { term: 'epiphysis', forms: ['epiphysis', 'epiphyseal', 'physis', 'physeal', 'growth plate'] },
    {
      term: '',
      forms: [
        ...['condyle', 'condylar', 'epicondyle', 'neck', 'head', 'trochanter', 'greater trochanter', 'tuberosity'],
        ...['cortex', 'medullary', 'intramedullary', 'medial', 'end', 'surface', 'bone', 'joint', 'side'],
        // "lateral" beside a part of a bone is where on it, not the lateral view.
        ...['lateral aspect', 'lateral cortex', 'lateral condyle', 'lateral epicondyle', 'lateral end'],
      ],
    },
  ],
};

/** A ninth of the film, as BTXRD's descriptions end ("located in the upper-left region"). */
export const FILM_PLACES: Table = {
  name: 'film place',
  entries: [
    { term: 'upper', forms: ['upper', 'top'] },
    { term: 'central', forms: ['central', 'centre', 'center', 'middle'] },
    { term: 'lower', forms: ['lower', 'bottom'] },
    { term: 'left', forms: ['left'] },
    { term: 'right', forms: ['right'] },
  ],
};

/**
 * The tables whose words name a bone lesion, with or without its kind ("osteochondroma", "lytic lesion",
 * "aggressive mass"): a bone prompt naming one is coded as a bone neoplasm, the only bone finding the model
 * was trained on. A bone alone ("distal femur") names no lesion. Entries whose term is empty ("expansile",
 * "small") say how a lesion looks, not that there is one.
 */
export const NAMES_BONE_LESION: readonly Table[] = [LESION_KINDS, LESION_WORDS, MALIGNANCY, APPEARANCE];

export const BONE_TABLES: readonly Table[] = [
  LESION_KINDS,
  LESION_WORDS,
  MALIGNANCY,
  APPEARANCE,
  BONES,
  LIMBS,
  BONE_PARTS,
  FILM_PLACES,
];
